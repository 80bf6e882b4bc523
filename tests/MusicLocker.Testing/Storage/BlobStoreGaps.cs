namespace MusicLocker.Testing.Storage;

/// <summary>
/// Features a provider has against the real service but its emulator lacks. A conformance subclass declares them once;
/// the few tests that need one report "skipped: emulator lacks X", and every other test runs.
/// </summary>
[Flags]
public enum BlobStoreGaps
{
    /// <summary>No gap.</summary>
    None = 0,

    /// <summary>If-None-Match / If-Match on writes, copies and multipart completion are ignored.</summary>
    ConditionalWrites = 1,

    /// <summary>If-Match on reads is ignored.</summary>
    ConditionalReads = 2,

    /// <summary>If-Match on delete is ignored.</summary>
    ConditionalDeletes = 4,

    /// <summary>Listing the stored parts of a multipart upload is not implemented.</summary>
    ListParts = 8,

    /// <summary>Aborting a multipart upload is not implemented.</summary>
    AbortMultipart = 16,

    /// <summary>Completing a multipart upload does not check that each named part was stored with the ETag given.</summary>
    CompletionPartValidation = 32,

    /// <summary>
    /// A part number sent again with other bytes is refused rather than replaced (an encrypting store: a part's nonces
    /// are fixed by its number, so a second body would reuse them).
    /// </summary>
    PartReplacement = 64,
}
