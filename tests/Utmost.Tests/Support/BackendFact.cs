using Xunit.Abstractions;
using Xunit.Sdk;

namespace Utmost.Tests.Support;

/// <summary>The servers a test class needs, declared on the class; its backend tests skip locally when one is missing.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class NeedsServersAttribute(params string[] servers) : Attribute
{
    public const string Postgres = "postgresql";
    public const string ClickHouse = "clickhouse-server";
    public const string Chromium = "chromium";

    public IReadOnlyList<string> Servers { get; } = servers;

    /// <summary>Why the tests cannot run here, or null. With CI=true never a reason: there they must run (and fail).</summary>
    public static string? SkipReason(IEnumerable<string> servers)
    {
        if (ServerTests.InCi)
        {
            return null;
        }
        var missing = servers.Where(s => s switch
        {
            Postgres => !PostgresServer.IsInstalled,
            ClickHouse => !ClickHouseServer.IsInstalled,
            Chromium => !BrowserFixture.IsInstalled,
            _ => false,
        }).ToList();
        return missing.Count == 0
            ? null
            : $"{string.Join(" and ", missing)} not installed here (scripts/test.sh installs them as root); with CI=true this test fails instead";
    }
}

/// <summary>
/// A fact declared once in an abstract contract class and run for every backend subclass; the subclass's
/// <see cref="NeedsServersAttribute"/> decides whether it can run on this machine.
/// </summary>
[XunitTestCaseDiscoverer("Utmost.Tests.Support.BackendFactDiscoverer", "Utmost.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class BackendFactAttribute : FactAttribute;

public sealed class BackendFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var needs = testMethod.TestClass.Class.GetCustomAttributes(typeof(NeedsServersAttribute)).FirstOrDefault();
        var servers = needs?.GetConstructorArguments().FirstOrDefault() as string[] ?? [];
        yield return new BackendTestCase(diagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(),
            discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, NeedsServersAttribute.SkipReason(servers));
    }
}

public sealed class BackendTestCase : XunitTestCase
{
    private string? _skipReason;

    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public BackendTestCase()
    {
    }

    public BackendTestCase(IMessageSink sink, TestMethodDisplay display, TestMethodDisplayOptions options, ITestMethod method, string? skipReason)
        : base(sink, display, options, method) => _skipReason = skipReason;

    protected override string? GetSkipReason(IAttributeInfo factAttribute) => _skipReason ?? base.GetSkipReason(factAttribute);

    public override void Serialize(IXunitSerializationInfo data)
    {
        base.Serialize(data);
        data.AddValue("SkipReasonOverride", _skipReason);
    }

    public override void Deserialize(IXunitSerializationInfo data)
    {
        _skipReason = data.GetValue<string>("SkipReasonOverride");
        base.Deserialize(data);
    }
}
