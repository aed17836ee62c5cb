using System.Text.RegularExpressions;
using Utmost.Core.Common;

namespace Utmost.Tests.Core;

public sealed class TextRulesTests
{
    private const string Grin = "\U0001F600"; // one character, two UTF-16 units
    private const string Flag = "\U0001F1E9\U0001F1EA"; // two characters (regional indicators), four units

    /// <summary>
    /// Decodes \uXXXX and \0 escapes. Test data holding lone surrogates is passed escaped: xunit would otherwise
    /// replace them with U+FFFD when it serialises theory rows.
    /// </summary>
    private static string D(string escaped) => Regex.Unescape(escaped);

    [Theory]
    [InlineData("", 0)]
    [InlineData("abc", 3)]
    [InlineData("é", 1)]
    [InlineData("日本語", 3)]
    [InlineData(Grin, 1)]
    [InlineData("a" + Grin + "b", 3)]
    [InlineData(Grin + Grin + Grin, 3)]
    [InlineData(Flag, 2)]
    public void Length_counts_a_surrogate_pair_as_one_character(string text, int expected)
    {
        Assert.Equal(expected, TextRules.LengthInCharacters(text));
    }

    [Fact]
    public void Check_accepts_text_at_the_limit_and_rejects_one_more()
    {
        Assert.Null(TextRules.Check(string.Concat(Enumerable.Repeat(Grin, 10)), 10));
        Assert.NotNull(TextRules.Check(string.Concat(Enumerable.Repeat(Grin, 11)), 10));
        Assert.Null(TextRules.Check("abcde", 5));
        Assert.NotNull(TextRules.Check("abcdef", 5));
    }

    [Theory]
    [InlineData(@"a\0b", "must not contain NUL characters")]
    [InlineData(@"\0", "must not contain NUL characters")]
    [InlineData(@"\ud800", "must be valid Unicode text")]
    [InlineData(@"a\udc00", "must be valid Unicode text")]
    [InlineData(@"\udc00\ud800", "must be valid Unicode text")]
    [InlineData(@"x\ud83d", "must be valid Unicode text")]
    public void Check_rejects_NUL_and_unpaired_surrogates(string escaped, string expected)
    {
        Assert.Equal(expected, TextRules.Check(D(escaped), 100));
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("plain", true)]
    [InlineData(Grin, true)]
    [InlineData(@"\ud83d\ude00\ud83d\ude00", true)]
    [InlineData(@"\ud83d", false)]
    [InlineData(@"\ude00", false)]
    [InlineData(@"\ude00\ud83d", false)]
    [InlineData(@"\ud83d\ud83d\ude00", false)]
    [InlineData(@"\ud83d\ude00\ude00", false)]
    public void IsWellFormed_requires_every_surrogate_to_be_paired(string escaped, bool expected)
    {
        Assert.Equal(expected, TextRules.IsWellFormed(D(escaped)));
    }

    [Theory]
    [InlineData("hello", 10, "hello")]
    [InlineData("hello", 5, "hello")]
    [InlineData("hello", 4, "hell")]
    [InlineData("hello", 0, "")]
    [InlineData("", 0, "")]
    [InlineData("ab" + Grin, 3, "ab")]
    [InlineData("ab" + Grin, 4, "ab" + Grin)]
    [InlineData(Grin + Grin, 1, "")]
    [InlineData(Grin + Grin, 2, Grin)]
    [InlineData(Grin + Grin, 3, Grin)]
    public void Truncate_never_splits_a_surrogate_pair(string text, int maxLength, string expected)
    {
        var result = TextRules.Truncate(text, maxLength);

        Assert.Equal(expected, result);
        Assert.True(TextRules.IsWellFormed(result));
    }

    [Fact]
    public void Truncate_keeps_a_well_formed_prefix_within_the_limit_for_every_cut()
    {
        var text = "a" + Grin + "bc" + Grin + Grin + "d" + Flag;
        for (var max = 0; max <= text.Length + 1; max++)
        {
            var result = TextRules.Truncate(text, max);

            Assert.StartsWith(result, text, StringComparison.Ordinal);
            Assert.True(TextRules.IsWellFormed(result), $"cut at {max}");
            Assert.True(TextRules.LengthInCharacters(result) <= max, $"cut at {max}");
            // Nothing is dropped beyond the one unit that would split a pair.
            Assert.True(result.Length >= Math.Min(max, text.Length) - 1, $"cut at {max}");
        }
    }

    [Theory]
    [InlineData("clean", "clean")]
    [InlineData(@"a\0b", "ab")]
    [InlineData(@"a\ud800b", "ab")]
    [InlineData(@"\udc00x\ud83d", "x")]
    [InlineData(@"ok\ud83d\ude00\0", "ok" + Grin)]
    [InlineData(@"\ud83d\ud83d\ude00", Grin)]
    public void Sanitize_drops_NUL_and_unpaired_surrogates(string escaped, string expected)
    {
        Assert.Equal(expected, TextRules.Sanitize(D(escaped)));
    }

    [Fact]
    public void Truncate_refuses_a_negative_limit()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TextRules.Truncate("abc", -1));
    }
}
