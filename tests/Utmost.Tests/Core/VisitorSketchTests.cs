using Utmost.Core.Query;

namespace Utmost.Tests.Core;

public class VisitorSketchTests
{
    private static IEnumerable<string> Ids(string prefix, int count) => Enumerable.Range(0, count).Select(i => $"{prefix}{i}");

    private static VisitorSketch Of(IEnumerable<string> ids, VisitorSketch? sketch = null)
    {
        sketch ??= new VisitorSketch();
        foreach (var id in ids)
        {
            sketch.Add(id);
        }
        return sketch;
    }

    [Fact]
    public void Up_to_the_exact_limit_visitors_are_counted_exactly_however_often_they_come()
    {
        var sketch = Of(Ids("v", VisitorSketch.ExactLimit).Concat(Ids("v", VisitorSketch.ExactLimit)));

        Assert.True(sketch.IsExact);
        Assert.Equal(VisitorSketch.ExactLimit, sketch.Count());
        Assert.Equal(VisitorSketch.ExactLimit * sizeof(ulong), sketch.HashBytes().Length);
        Assert.Empty(sketch.RegisterBytes());
    }

    [Fact]
    public void Past_the_limit_the_sketch_becomes_registers()
    {
        var sketch = Of(Ids("v", VisitorSketch.ExactLimit + 1));

        Assert.False(sketch.IsExact);
        Assert.Empty(sketch.HashBytes());
        Assert.Equal(VisitorSketch.RegisterCount, sketch.RegisterBytes().Length);
        Assert.InRange(sketch.Count(), 480, 545);
    }

    [Theory]
    [InlineData(1_000)]
    [InlineData(5_000)]
    [InlineData(20_000)]
    [InlineData(100_000)]
    [InlineData(1_000_000)]
    public void Estimates_are_within_three_standard_errors_at_every_scale(int visitors)
    {
        var estimate = Of(Ids("visitor-", visitors)).Count();

        // 1.04 / sqrt(4096) = 1.6%.
        Assert.InRange(Math.Abs(estimate - visitors) / (double)visitors, 0, 0.05);
    }

    [Fact]
    public void The_estimate_is_unbiased_over_many_sets()
    {
        var errors = Enumerable.Range(0, 40).Select(set => (Of(Ids($"s{set}-", 10_000)).Count() - 10_000) / 10_000.0).ToList();

        Assert.InRange(errors.Average(), -0.01, 0.01);
        Assert.InRange(Math.Sqrt(errors.Average(e => e * e)), 0.005, 0.03);
    }

    [Fact]
    public void Stored_sketches_merge_into_what_one_sketch_of_all_their_visitors_gives()
    {
        // Overlapping sets: 3,000 exact ones of 300 and two of registers; together 9,000 visitors.
        var parts = Enumerable.Range(0, 10).Select(i => Ids($"small{i}-", 300)).Append(Ids("big-", 6_000)).Append(Ids("big-", 4_000)).ToList();
        var merged = VisitorSketch.ForMerging();
        foreach (var part in parts)
        {
            var stored = Of(part);
            merged.Add(stored.HashBytes(), stored.RegisterBytes());
        }
        var whole = Of(parts.SelectMany(p => p));

        Assert.Equal(whole.Count(), merged.Count());
        Assert.Equal(whole.RegisterBytes(), merged.RegisterBytes());
    }

    [Fact]
    public void A_merge_of_exact_sets_stays_exact_past_the_limit()
    {
        var merged = VisitorSketch.ForMerging();
        foreach (var i in Enumerable.Range(0, 10))
        {
            var stored = Of(Ids($"p{i}-", 400).Concat(Ids("shared-", 100)));
            merged.Add(stored.HashBytes(), stored.RegisterBytes());
        }

        Assert.True(merged.IsExact);
        Assert.Equal(10 * 400 + 100, merged.Count());
    }

    [Fact]
    public void Registers_merged_elsewhere_count_as_the_sketch_of_their_union()
    {
        var a = Of(Ids("a", 3_000));
        var merged = VisitorSketch.ForMerging();
        merged.AddRegisters(a.RegisterBytes());
        merged.Add("b1");
        merged.Add("b2");

        Assert.Equal(Of(Ids("a", 3_000).Append("b1").Append("b2")).Count(), merged.Count());
        Assert.Throws<ArgumentException>(() => merged.AddRegisters(new byte[10]));
    }

    [Fact]
    public void No_visitors_count_zero()
    {
        Assert.Equal(0, new VisitorSketch().Count());
        Assert.Equal(0, VisitorSketch.Estimate(new byte[VisitorSketch.RegisterCount]));
    }

    [Fact]
    public void Hashes_spread_similar_ids_over_every_register()
    {
        var registers = Of(Ids("v", 50_000)).RegisterBytes();

        Assert.Equal(0, registers.Count(r => r == 0));
        Assert.NotEqual(VisitorSketch.Hash("v1"), VisitorSketch.Hash("v2"));
        Assert.Equal(VisitorSketch.Hash("visitor"), VisitorSketch.Hash("visitor"));
    }
}
