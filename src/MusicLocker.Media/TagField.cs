namespace MusicLocker.Media;

/// <summary>One raw tag field as stored: an ID3v2 frame, an APE item, an MP4 <c>ilst</c> atom or an ID3v1 field.</summary>
/// <param name="Format">The tag it came from.</param>
/// <param name="Key">The frame id (<c>TIT2</c>, <c>TXXX:REPLAYGAIN_TRACK_GAIN</c>), item key or atom name (<c>©nam</c>, <c>----:com.apple.iTunes:iTunSMPB</c>).</param>
/// <param name="Value">The value as text (several values joined by <c>"; "</c>), or a short description of binary data.</param>
public readonly record struct TagField(TagFormat Format, string Key, string Value);
