using System.Diagnostics;
using System.Globalization;
using Utmost.Core.Channels;
using Utmost.Core.Devices;
using Utmost.Core.Events;
using Utmost.Core.Sessions;

namespace Utmost.Bench;

/// <summary>
/// The per-event cost of enrichment on the ingestion hot path (channel classification, user agent, IP
/// anonymisation, id), measured in-process over the corpus, single-threaded: warm (agents repeat, as in real
/// traffic) and cold (every agent new, so the user agent cache never helps). Then the session step the builder
/// does for each event off the request path: finding the visitor's open session and adding the event to it.
/// </summary>
internal static class EnrichmentBenchmark
{
    private const double TargetMicroseconds = 5;

    private static readonly string[] Agents =
    [
        EventCorpus.UserAgent,
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/475.0.0.35.109]",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    ];

    public static int Run(BenchOptions options)
    {
        var corpus = EventCorpus.Create(options.Seed, options.BatchSize);
        var inputs = corpus.Events.Select(e => new EventInput
        {
            EventType = e.EventType, PageUrl = e.PageUrl, ReferrerUrl = e.ReferrerUrl, UtmSource = e.UtmSource, UtmMedium = e.UtmMedium,
            UtmCampaign = e.UtmCampaign, UtmContent = e.UtmContent, UtmTerm = e.UtmTerm, SessionId = e.SessionId, PropertiesJson = e.PropertiesJson,
            VisitorId = e.VisitorId,
        }).ToArray();
        // As for a tenant with cookieless visitor ids (the default): each event without a visitor_id is hashed.
        var salt = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        var contexts = Agents.Select(agent => new IngestionContext("bench", 1, System.Net.IPAddress.Parse("203.0.113.77"), agent, false,
            DateTimeOffset.UtcNow, VisitorSalt: salt)).ToArray();
        const int Events = 1_000_000;

        var warm = Measure(Events, i => EventEnricher.Enrich(inputs[i % inputs.Length], contexts[i % contexts.Length]));
        var channels = Measure(Events, i =>
        {
            var e = inputs[i % inputs.Length];
            ChannelClassifier.Classify(new ChannelInput(e.UtmSource, e.UtmMedium, e.UtmCampaign, e.ReferrerUrl, e.PageUrl));
        });
        var agents = Measure(Events, i => UserAgentClassifier.Classify(Agents[i % Agents.Length]));
        // Cold: a fresh agent every time (longer than the cache would keep, but classified like a real one).
        var fresh = Enumerable.Range(0, 200_000).Select(i => Agents[i % Agents.Length] + " build/" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
        var cold = Measure(fresh.Length, i => UserAgentClassifier.Classify(fresh[i]));
        var sessions = MeasureSessions(inputs, contexts[0], Events);

        Console.WriteLine($"""

            Enrichment per event, one thread ({Events:#,0} events over {inputs.Length:#,0} corpus events and {Agents.Length} agents)

            step                                              µs/event
            ------------------------------------------------  --------
            enrichment, whole (channel, agent, visitor, IP, id) {warm,6:0.00}
              channel classification                          {channels,8:0.00}
              user agent (repeating agents, cached)           {agents,8:0.00}
              user agent (every agent new)                    {cold,8:0.00}
            session lookup and fold (session builder)         {sessions,8:0.00}

            enrichment + session lookup <= {TargetMicroseconds} µs/event: {(warm + sessions <= TargetMicroseconds ? "PASS" : "MISS")} ({warm + sessions:0.00})
            the same with uncached agents <= {TargetMicroseconds} µs/event: {(warm - agents + cold + sessions <= TargetMicroseconds ? "PASS" : "MISS")} ({warm - agents + cold + sessions:0.00})
            """);
        return 0;
    }

    /// <summary>
    /// The builder's work per event, as in its usual case: the visitor's open session found in memory and the event
    /// added to it (a new session started where the source changes or the visitor paused), each session turned
    /// into its record once, as a write does. Events are an hour apart per lap of the corpus, so visitors come back.
    /// </summary>
    private static double MeasureSessions(EventInput[] inputs, IngestionContext context, int count)
    {
        var events = inputs.Select(input => EventEnricher.Enrich(input, context)).ToArray();
        var rules = new SessionRules(SessionRules.DefaultTimeout, [Utmost.Core.Conversions.Goal.ForEventType("job_created")]);
        var start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var sessionEvents = events.Select((e, i) => SessionEvent.From(e) with { CreatedAt = start + i * 10L }).ToArray();
        var open = new Dictionary<string, SessionState>(StringComparer.Ordinal);
        var closed = new List<Session>();
        var sessions = 0L;
        var one = new SessionEvent[1];
        var lap = (long)sessionEvents.Length * 10 + 3_600_000;
        // (The copy that moves each lap an hour on costs the measurement a little; the builder makes none.)
        var fold = Measure(count, i =>
        {
            var e = sessionEvents[i % sessionEvents.Length];
            one[0] = e with { CreatedAt = e.CreatedAt + i / sessionEvents.Length * lap };
            var visitor = inputs[i % inputs.Length].VisitorId!;
            open.TryGetValue(visitor, out var state);
            var next = Sessionizer.Fold(1, visitor, state, one, rules, closed)!;
            sessions += next == state ? 0 : 1;
            open[visitor] = next;
            closed.Clear();
        });
        var states = open.Values.ToArray();
        var record = Measure(count / 10, i => states[i % states.Length].ToSession());
        // Each session becomes a record at least once (when written); per event that is its share.
        return fold + record * sessions / (count + count / 10.0);
    }

    /// <summary>Microseconds per call, after a warm-up of a tenth of the calls.</summary>
    private static double Measure(int count, Action<int> step)
    {
        for (var i = 0; i < count / 10; i++)
        {
            step(i);
        }
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            step(i);
        }
        return stopwatch.Elapsed.TotalMicroseconds / count;
    }
}
