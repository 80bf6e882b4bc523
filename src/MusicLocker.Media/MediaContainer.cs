namespace MusicLocker.Media;

/// <summary>The container format of an accepted file.</summary>
public enum MediaContainer
{
    /// <summary>A raw MPEG audio stream (an <c>.mp3</c> file).</summary>
    Mp3 = 1,

    /// <summary>A raw ADTS AAC stream (an <c>.aac</c> file).</summary>
    Adts = 2,

    /// <summary>ISO base media / MP4 (<c>.m4a</c>, <c>.m4b</c>, <c>.mp4</c>).</summary>
    Mp4 = 3,
}
