using Utmost.Users;

namespace Utmost.Tests.Core;

public sealed class PasswordsTests
{
    [Fact]
    public void A_hash_verifies_its_password_only_and_two_hashes_of_one_password_differ()
    {
        var first = Passwords.Hash("correct horse battery staple");
        var second = Passwords.Hash("correct horse battery staple");
        Assert.NotEqual(first, second);
        Assert.True(Passwords.Verify("correct horse battery staple", first));
        Assert.True(Passwords.Verify("correct horse battery staple", second));
        Assert.False(Passwords.Verify("correct horse battery stapler", first));
        Assert.False(Passwords.Verify("correct horse battery staple", null));
        Assert.False(Passwords.Verify("correct horse battery staple", "md5$1$abc$def"));
    }
}
