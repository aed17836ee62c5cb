using Utmost.Core.Common;

namespace Utmost.Tests.Core;

public sealed class IdsTests
{
    [Fact]
    public void Ids_made_in_a_burst_strictly_increase_and_are_version_7()
    {
        var at = DateTimeOffset.UtcNow;
        var ids = Enumerable.Range(0, 10_000).Select(_ => Ids.New(at)).ToList();

        Assert.Equal(ids.Count, ids.Distinct().Count());
        for (var i = 1; i < ids.Count; i++)
        {
            Assert.True(string.CompareOrdinal(ids[i - 1], ids[i]) < 0, $"{ids[i - 1]} is not before {ids[i]}");
        }
        Assert.All(ids, id =>
        {
            Assert.Equal('7', id[14]);
            Assert.Contains(id[19], "89ab");
        });
    }

    [Fact]
    public void The_time_prefix_is_the_given_millisecond()
    {
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_900_000_000_123);

        var id = Ids.New(at.AddDays(-3650));

        var hex = id.Replace("-", "", StringComparison.Ordinal)[..12];
        Assert.Equal(at.AddDays(-3650).ToUnixTimeMilliseconds(), Convert.ToInt64(hex, 16));
    }
}
