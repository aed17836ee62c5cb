using System.Runtime.CompilerServices;
using System.Text.Json;
using Utmost.Core.Channels;

namespace Utmost.Tenancy;

/// <summary>A tenant's channel rules as stored (a JSON array in the tenants row), and compiled once per loaded list.</summary>
public static class ChannelRulesJson
{
    private static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private static readonly ConditionalWeakTable<IReadOnlyList<CustomChannelRule>, IReadOnlyList<ChannelRule>> Compiled = [];

    public static string Serialize(IReadOnlyList<CustomChannelRule> rules) => JsonSerializer.Serialize(rules, Options);

    public static IReadOnlyList<CustomChannelRule> Deserialize(string json) =>
        JsonSerializer.Deserialize<CustomChannelRule[]>(json, Options) ?? [];

    /// <summary>The active rules as channel table rows; compiled once per tenant load, not per event.</summary>
    public static IReadOnlyList<ChannelRule> ChannelRulesOf(Tenant tenant) =>
        tenant.ChannelRules.Count == 0 ? [] : Compiled.GetValue(tenant.ChannelRules, CustomChannelRule.Compile);
}
