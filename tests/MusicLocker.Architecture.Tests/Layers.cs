namespace MusicLocker.Architecture.Tests;

/// <summary>
/// The layer table: every shipped assembly (each <c>src/</c> project) and the MusicLocker assemblies it may reference,
/// bottom to top. An assembly not listed here, or a reference not listed in its row, fails <see cref="LayeringTests"/>.
/// </summary>
internal static class Layers
{
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

        // Metadata: the contracts (framework and Extensions abstractions only), the SQL engine with its public dialect
        // surface (it keeps user key records, so it may see the crypto contracts), and the database providers, which
        // build on the engine (never on each other).
        ["MusicLocker.Metadata"] = [],
        ["MusicLocker.Metadata.Sql"] = ["MusicLocker.Metadata", "MusicLocker.Crypto", "MusicLocker.Storage"],
        ["MusicLocker.Metadata.Sqlite"] = ["MusicLocker.Metadata.Sql", "MusicLocker.Metadata"],
        ["MusicLocker.Metadata.Postgres"] = ["MusicLocker.Metadata.Sql", "MusicLocker.Metadata"],

        // Key providers: the crypto contracts (and the storage types they carry).
        ["MusicLocker.Keys.AwsKms"] = ["MusicLocker.Crypto", "MusicLocker.Storage"],

        // The facade: every layer's contracts, plus the SQLite provider of the embedded default (OpenEmbeddedAsync,
        // UseSqlite) and its engine (whose store holds the user key records). The server providers add their Use…
        // extensions from their own packages, never from here.
        // It hands the streaming core a track's bytes (ILockerDownloads.OpenStreamAsync → TrackStream) without exposing its key.
        ["MusicLocker"] = ["MusicLocker.Media", "MusicLocker.Storage", "MusicLocker.Crypto", "MusicLocker.Metadata", "MusicLocker.Metadata.Sql", "MusicLocker.Metadata.Sqlite", "MusicLocker.Streaming"],
        // Streaming: byte ranges and time seeks of stored tracks into a pipe, over storage (plain or encrypted) and the
        // media seek index. Framework-independent: the ASP.NET Core endpoints build on it, never the other way round.
        ["MusicLocker.Streaming"] = ["MusicLocker.Media", "MusicLocker.Storage", "MusicLocker.Crypto"],
        // ASP.NET Core endpoints (streaming with signed URLs, OpenSubsonic): over the facade and the streaming core.
        ["MusicLocker.AspNetCore"] = ["MusicLocker", "MusicLocker.Streaming", "MusicLocker.Media", "MusicLocker.Storage", "MusicLocker.Crypto", "MusicLocker.Metadata"],
    };

    /// <summary>
    /// Internal API granted from one shipped assembly to another, tolerated for now. Empty: the metadata providers reach
    /// the SQL engine through MusicLocker.Metadata.Sql's public dialect surface (issue 10), not InternalsVisibleTo.
    /// </summary>
    public static readonly IReadOnlyList<(string From, string To)> KnownInternalsGrants = [];
}
