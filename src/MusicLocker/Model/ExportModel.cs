namespace MusicLocker;

/// <summary>How far an export is.</summary>
/// <param name="TracksDone">Tracks written so far.</param>
/// <param name="TracksTotal">Tracks to write (as counted when the export started).</param>
/// <param name="BytesDone">Audio bytes written so far.</param>
public readonly record struct ExportProgress(int TracksDone, int TracksTotal, long BytesDone);

/// <summary>What an export wrote.</summary>
/// <param name="Tracks">Original files written.</param>
/// <param name="Playlists">Playlists written as M3U8.</param>
/// <param name="Plays">Plays written to <c>history.json</c>.</param>
/// <param name="AudioBytes">Bytes of original files written.</param>
public sealed record ExportResult(int Tracks, int Playlists, long Plays, long AudioBytes);
