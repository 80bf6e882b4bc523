using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Reflection;

namespace MusicLocker.Crypto.Diagnostics;

/// <summary>
/// The crypto layer's <see cref="System.Diagnostics.ActivitySource"/> and <see cref="System.Diagnostics.Metrics.Meter"/>,
/// both named <c>MusicLocker.Crypto</c>: spans of key operations (<c>crypto.user_key.get|rotate|purge|destroy</c>,
/// <c>crypto.master_key.rotate</c>) and the unwrap counter. Blob calls through <see cref="EncryptedBlobStore"/> are
/// reported by the storage layer's source (store <c>encrypted</c>). Names: docs/telemetry.md.
/// </summary>
internal static class CryptoTelemetry
{
    public const string SourceName = "MusicLocker.Crypto";

    /// <summary>The store name <see cref="EncryptedBlobStore"/> reports its calls under.</summary>
    public const string StoreName = "encrypted";

    private static readonly string? Version = typeof(CryptoTelemetry).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    public static ActivitySource ActivitySource { get; } = new(SourceName, Version);

    public static Meter Meter { get; } = new(SourceName, Version);

    /// <summary>Keys unwrapped: user keys by the master-key provider (a KMS call for AWS KMS), data keys by a user key.</summary>
    public static Counter<long> KeyUnwraps { get; } =
        Meter.CreateCounter<long>("musiclocker.crypto.key_unwraps", "{unwrap}", "Keys unwrapped, by kind (user_key: by the master key; data_key: by a user key) and outcome.");

    /// <summary>Starts <c>crypto.{operation}</c> for <paramref name="owner"/> (when anyone listens).</summary>
    public static Activity? Start(string operation, KeyOwner? owner = null)
    {
        var activity = ActivitySource.StartActivity("crypto." + operation, ActivityKind.Internal);
        if (activity is not null && owner is { } o)
        {
            activity.SetTag("musiclocker.user", o.ToString());
        }

        return activity;
    }

    public static void SetKeyVersion(Activity? activity, int version) =>
        activity?.SetTag("musiclocker.crypto.key_version", version.ToString(CultureInfo.InvariantCulture));

    /// <summary>Marks a span failed: status Error, <c>error.type</c> the <see cref="EncryptionErrorCode"/> (or the storage code, or the exception type).</summary>
    public static void Fail(Activity? activity, Exception exception)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag("error.type", ErrorType(exception));
        activity.SetStatus(ActivityStatusCode.Error, exception.Message);
    }

    public static void CountUnwrap(string kind, bool ok) =>
        KeyUnwraps.Add(1, new KeyValuePair<string, object?>("musiclocker.crypto.key_kind", kind), new KeyValuePair<string, object?>("outcome", ok ? "ok" : "error"));

    private static string ErrorType(Exception exception) => exception switch
    {
        EncryptionException e => e.ErrorCode.ToString(),
        Storage.BlobStoreException b => b.ErrorCode.ToString(),
        _ => exception.GetType().FullName ?? "Exception",
    };
}
