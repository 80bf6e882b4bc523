namespace MusicLocker.Media.Formats.Mp4;

/// <summary>
/// The samples of a track that are present in the file (<see cref="Mp4Track.WalkSamples"/>): how many, the decode time
/// at the end of the last one (in the media timescale), and their bytes.
/// </summary>
internal readonly record struct Mp4Samples(long Count, long Duration, long Bytes);
