namespace Utmost.Identity;

/// <summary>A visitor linked to a person; at least one of user id, email (lower case) and contact id is set.</summary>
public sealed record VisitorLink(string TenantId, string VisitorId, string? UserId, string? Email, string? ContactId, DateTimeOffset LinkedAt);

/// <summary>How a person is named when their visitors are looked up.</summary>
public enum PersonKey
{
    UserId,
    Email,
    ContactId,
}

/// <summary>Links between anonymous visitors and people, in the operational store; every call is scoped to one tenant.</summary>
public interface IIdentityStore
{
    /// <summary>Links the visitor to the person, replacing any earlier link of that visitor.</summary>
    Task LinkAsync(VisitorLink link, CancellationToken cancellationToken);

    /// <summary>Every visitor linked to the person, oldest link first.</summary>
    Task<IReadOnlyList<VisitorLink>> VisitorsOfAsync(string tenantId, PersonKey key, string value, CancellationToken cancellationToken);

    /// <summary>Every link of the tenant, oldest first: who is who across the tenant, for attribution.</summary>
    Task<IReadOnlyList<VisitorLink>> AllAsync(string tenantId, CancellationToken cancellationToken);
}

public static class PersonKeys
{
    /// <summary>The column a person key is stored in; names come from here only.</summary>
    public static string Column(this PersonKey key) => key switch
    {
        PersonKey.UserId => "user_id",
        PersonKey.Email => "email",
        PersonKey.ContactId => "contact_id",
        _ => throw new ArgumentOutOfRangeException(nameof(key)),
    };
}
