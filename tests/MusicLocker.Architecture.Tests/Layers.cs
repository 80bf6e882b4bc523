namespace MusicLocker.Architecture.Tests;

/// <summary>
/// The layer table: every shipped assembly (each <c>src/</c> project) and the MusicLocker assemblies it may reference,
/// bottom to top. An assembly not listed here, or a reference not listed in its row, fails <see cref="LayeringTests"/>.
/// </summary>
internal static class Layers
{
    /// <summary>
    /// The metadata layer (contracts and the SQL engine). It becomes MusicLocker.Metadata plus MusicLocker.Metadata.Sql
    /// when Library is split (issue 10): rename here, and give Metadata.Sql its own row (→ Metadata).
    /// </summary>
    public const string Metadata = "MusicLocker.Library";

    /// <summary>Assembly → the MusicLocker assemblies it may reference (directly; nothing else of ours).</summary>
    public static readonly IReadOnlyDictionary<string, string[]> MayReference = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        // The two foundations: they reference nothing of ours.
        ["MusicLocker.Media"] = [],
        ["MusicLocker.Storage"] = [],

        // Tag writing on TagLibSharp (LGPL, opt-in): on top of media only; nothing of ours references it.
        ["MusicLocker.Media.TagLib"] = ["MusicLocker.Media"],

        // Encryption on top of storage.
        ["MusicLocker.Crypto"] = ["MusicLocker.Storage"],

        // Storage providers: the storage contracts and provider kit only; never another provider, never Crypto.
        ["MusicLocker.Storage.S3"] = ["MusicLocker.Storage"],
        ["MusicLocker.Storage.Azure"] = ["MusicLocker.Storage"],

        // Metadata, and its database providers (never each other).
        [Metadata] = [],
        ["MusicLocker.Metadata.Sqlite"] = [Metadata],
        ["MusicLocker.Metadata.Postgres"] = [Metadata],

        // Key providers: the crypto contracts (and the storage types they carry).
        ["MusicLocker.Keys.AwsKms"] = ["MusicLocker.Crypto", "MusicLocker.Storage"],

        // The facade: every layer's contracts, plus the SQLite provider of the embedded default (OpenEmbeddedAsync,
        // UseSqlite). The server providers add their Use… extensions from their own packages, never from here.
        ["MusicLocker"] = ["MusicLocker.Media", "MusicLocker.Storage", "MusicLocker.Crypto", Metadata, "MusicLocker.Metadata.Sqlite"],
    };

    /// <summary>
    /// Internal API granted from one shipped assembly to another: the SQL engine in Library is reached by both metadata
    /// providers through InternalsVisibleTo. KNOWN VIOLATION, removed by the Library split (issue 10): the engine becomes
    /// the public MusicLocker.Metadata.Sql. When the grants are gone, the test fails until these entries are deleted.
    /// </summary>
    public static readonly IReadOnlyList<(string From, string To)> KnownInternalsGrants =
    [
        (Metadata, "MusicLocker.Metadata.Sqlite"),
        (Metadata, "MusicLocker.Metadata.Postgres"),
    ];
}
