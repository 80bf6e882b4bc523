namespace MusicLocker.Media;

/// <summary>Why a file was refused.</summary>
public enum MediaErrorCode
{
    /// <summary>Not a refusal the prober names: never thrown by the prober itself (a default value, or a code from a newer version).</summary>
    Unknown = 0,

    /// <summary>The bytes are not MP3, ADTS AAC or MP4/M4A audio (FLAC, WAV, Ogg, an image, free-format MP3 whose frame length cannot be measured, an MP4 video, …: the message names what was found).</summary>
    UnsupportedFormat = 1,

    /// <summary>The audio is encrypted (FairPlay, common encryption, Audible) and cannot be played outside its store.</summary>
    DrmProtected = 2,

    /// <summary>The file holds no bytes, or only tags and no audio (an MP4 whose tables count no samples or whose <c>mdat</c> is empty, whatever duration its headers state).</summary>
    Empty = 3,

    /// <summary>The file claims a supported format but its structure is broken where audio was expected.</summary>
    Corrupt = 4,

    /// <summary>The file is larger or deeper than <see cref="MediaProbeOptions"/> allows (a box count, a nesting depth, a frame count).</summary>
    LimitExceeded = 5,

    /// <summary>There is no file at the path given (or a folder on the way is missing): the message names the path.</summary>
    NotFound = 6,

    /// <summary>
    /// The file could not be opened or read: the path is a folder, access is denied, or the system reported an I/O error.
    /// The message names the path and the reason; <see cref="Exception.InnerException"/> holds the system's error.
    /// </summary>
    Unreadable = 7,
}
