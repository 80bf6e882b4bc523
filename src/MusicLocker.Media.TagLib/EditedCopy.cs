namespace MusicLocker.Media.TagLib;

/// <summary>What <see cref="EditedCopyWriter"/> wrote.</summary>
/// <param name="Length">The bytes written to the destination.</param>
/// <param name="AudioOffset">Where the copied audio payload starts in the copy.</param>
/// <param name="AudioLength">The bytes of audio payload copied (the original's <see cref="MediaInfo.AudioLength"/>).</param>
public sealed record EditedCopy(long Length, long AudioOffset, long AudioLength);
