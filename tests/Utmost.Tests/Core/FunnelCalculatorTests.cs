using Utmost.Core.Funnels;

namespace Utmost.Tests.Core;

public sealed class FunnelCalculatorTests
{
    private static FunnelProgress Strict(long window, params (long Second, int Step)[] hits) =>
        FunnelCalculator.Progress(hits.Select(h => new FunnelHit(h.Second, h.Step)), 3, window, FunnelOrder.Strict);

    [Fact]
    public void Strict_order_needs_each_step_after_the_one_before_and_within_the_window_of_the_chain_start()
    {
        Assert.Equal([0L, 10, 20], Strict(100, (0, 1), (10, 2), (20, 3)).SecondsFromStart);
        // The purchase before the click does not count; the window is inclusive.
        Assert.Equal(2, Strict(100, (0, 1), (5, 3), (10, 2)).Level);
        Assert.Equal(3, Strict(100, (0, 1), (10, 2), (100, 3)).Level);
        Assert.Equal(2, Strict(100, (0, 1), (10, 2), (101, 3)).Level);
        // A later start gets further: its chain is the one reported.
        var later = Strict(100, (0, 1), (150, 1), (160, 2), (200, 3));
        Assert.Equal(3, later.Level);
        Assert.Equal([0L, 10, 50], later.SecondsFromStart);
        Assert.Equal(0, Strict(100, (10, 2), (20, 3)).Level);
        // One event meeting two steps at the same second takes both, as windowFunnel sorts (second, step).
        Assert.Equal(2, Strict(100, (7, 2), (7, 1)).Level);
    }

    [Fact]
    public void Any_order_takes_the_later_steps_wherever_they_fall_in_the_window_after_the_first()
    {
        var progress = FunnelCalculator.Progress([new(0, 1), new(30, 3), new(60, 2)], 3, 100, FunnelOrder.Any);
        Assert.Equal(3, progress.Level);
        Assert.Equal([0L, 60, 30], progress.SecondsFromStart);
        Assert.Equal(1, FunnelCalculator.Progress([new(0, 1), new(130, 2)], 3, 100, FunnelOrder.Any).Level);
    }

    [Fact]
    public void The_report_gives_rates_drop_off_and_median_seconds_per_step()
    {
        FunnelStep[] steps = [new("a", "page_view"), new("b", "form_submit"), new("c", "lead_created")];
        var report = FunnelCalculator.Report(steps, [4, 2, 1], [[0, 0, 0, 0], [10, 30], [50]]);

        Assert.Equal([4L, 2, 1], report.Select(s => s.Entered));
        Assert.Equal([2L, 1, 1], report.Select(s => s.Converted));
        Assert.Equal([100.0, 50, 25], report.Select(s => s.ConversionRate));
        Assert.Equal([100.0, 50, 50], report.Select(s => s.StepConversionRate));
        Assert.Equal([2L, 1, 0], report.Select(s => s.DropOff));
        Assert.Equal([null, 20L, 50L], report.Select(s => s.MedianSecondsToConvert));
        Assert.Equal(0, FunnelCalculator.Report(steps, [0, 0, 0], [[], [], []])[0].StepConversionRate);
    }
}
