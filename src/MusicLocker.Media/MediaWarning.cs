namespace MusicLocker.Media;

/// <summary>Something odd about an accepted file: the probe went on, and says what it saw.</summary>
/// <param name="Offset">The byte position concerned, or -1 when none.</param>
/// <param name="Message">What was seen.</param>
public readonly record struct MediaWarning(long Offset, string Message)
{
    /// <inheritdoc />
    public override string ToString() => Offset >= 0 ? $"{Message} (at byte {Offset})" : Message;
}
