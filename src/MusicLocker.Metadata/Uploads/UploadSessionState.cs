namespace MusicLocker.Metadata;

/// <summary>Where an upload session is.</summary>
public enum UploadSessionState
{
    /// <summary>Receiving bytes (resumable from any instance).</summary>
    Open = 0,

    /// <summary>All bytes stored and the track catalogued.</summary>
    Completed,

    /// <summary>Given up; its reservation released.</summary>
    Failed,
}
