using MusicLocker.Storage;

namespace MusicLocker.Crypto;

/// <summary>
/// The one table from <see cref="EncryptionErrorCode"/> to the <see cref="BlobErrorCode"/> an error surfaces as through
/// the <see cref="IBlobStore"/> contract, and the bounding of caller-supplied text in messages.
/// </summary>
internal static class EncryptionErrors
{
    /// <summary>Longest piece of caller-supplied text (an id, a blob key, an upload id) quoted in a message.</summary>
    public const int MaxQuotedLength = 200;

    /// <summary>
    /// Integrity failures are <see cref="BlobErrorCode.IntegrityCheckFailed"/>, a shredded key is
    /// <see cref="BlobErrorCode.KeyDestroyed"/>, key material that cannot be had (missing, refused, badly configured) is
    /// <see cref="BlobErrorCode.AccessDenied"/>, and only what a retry can fix is <see cref="BlobErrorCode.Unavailable"/>
    /// (the one transient code). docs/errors.md lists the same table.
    /// </summary>
    public static BlobErrorCode ToBlobErrorCode(EncryptionErrorCode code) => code switch
    {
        EncryptionErrorCode.Unknown => BlobErrorCode.Unknown,
        EncryptionErrorCode.CiphertextInvalid => BlobErrorCode.IntegrityCheckFailed,
        EncryptionErrorCode.KeyCommitmentMismatch => BlobErrorCode.IntegrityCheckFailed,
        EncryptionErrorCode.UnsupportedFormat => BlobErrorCode.IntegrityCheckFailed,
        EncryptionErrorCode.KeyUnwrapFailed => BlobErrorCode.IntegrityCheckFailed,
        EncryptionErrorCode.KeyRecordInvalid => BlobErrorCode.IntegrityCheckFailed,
        EncryptionErrorCode.KeyDestroyed => BlobErrorCode.KeyDestroyed,
        EncryptionErrorCode.KeyNotFound => BlobErrorCode.AccessDenied,
        EncryptionErrorCode.KeyRingInvalid => BlobErrorCode.AccessDenied,
        EncryptionErrorCode.KeyRingUnavailable => BlobErrorCode.AccessDenied,
        EncryptionErrorCode.KeyServiceRefused => BlobErrorCode.AccessDenied,
        EncryptionErrorCode.KeyServiceFailed => BlobErrorCode.Unavailable,
        EncryptionErrorCode.ConcurrentUpdate => BlobErrorCode.Unavailable,
        EncryptionErrorCode.KeyVersionExhausted => BlobErrorCode.InvalidArgument,
        EncryptionErrorCode.UploadIdInvalid => BlobErrorCode.InvalidArgument,
        EncryptionErrorCode.KeyContextInvalid => BlobErrorCode.InvalidKey,
        EncryptionErrorCode.PartConflict => BlobErrorCode.InvalidPart,
        _ => BlobErrorCode.Unknown,
    };

    /// <summary>
    /// Caller-supplied text as it may appear in a message: at most <see cref="MaxQuotedLength"/> characters (then "…(n chars)"),
    /// control characters shown as '?', so a hostile 180 KB id cannot make every error message that big.
    /// </summary>
    public static string Quote(string? text)
    {
        if (text is null)
        {
            return string.Empty;
        }

        int shown = Math.Min(text.Length, MaxQuotedLength);
        if (shown < text.Length && char.IsHighSurrogate(text[shown - 1]))
        {
            shown--;
        }

        string suffix = shown < text.Length ? $"…({text.Length} chars)" : string.Empty;
        return string.Create(shown + suffix.Length, (text, shown, suffix), static (span, s) =>
        {
            for (int i = 0; i < s.shown; i++)
            {
                span[i] = char.IsControl(s.text[i]) ? '?' : s.text[i];
            }

            s.suffix.CopyTo(span[s.shown..]);
        });
    }
}
