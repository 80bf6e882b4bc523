namespace MusicLocker.Metadata;

/// <summary>Upload sessions, so an upload resumes on any app instance and stale ones can be swept.</summary>
public interface IUploadSessionStore
{
    /// <summary>Records a new upload session.</summary>
    /// <exception cref="MetadataNotFoundException">The user does not exist.</exception>
    Task<UploadSession> CreateAsync(string userId, NewUploadSession session, CancellationToken cancellationToken = default);

    /// <summary>An upload session of the user.</summary>
    /// <exception cref="MetadataNotFoundException">The user has no such session.</exception>
    Task<UploadSession> GetAsync(string userId, Guid sessionId, CancellationToken cancellationToken = default);

    /// <summary>Updates a session if it is still at <paramref name="expectedVersion"/>.</summary>
    /// <exception cref="MetadataConflictException">Another writer updated it first; re-read and retry.</exception>
    /// <exception cref="MetadataNotFoundException">The user has no such session.</exception>
    Task<UploadSession> UpdateAsync(string userId, Guid sessionId, UploadSessionUpdate update, int expectedVersion, CancellationToken cancellationToken = default);

    /// <summary>The user's open sessions, oldest first.</summary>
    IAsyncEnumerable<UploadSession> ListOpenAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>Open sessions of any user not updated since <paramref name="updatedBefore"/>, oldest first (for a sweeper).</summary>
    Task<IReadOnlyList<UploadSession>> ListStaleAsync(DateTimeOffset updatedBefore, int limit = 100, CancellationToken cancellationToken = default);

    /// <summary>Deletes a session.</summary>
    /// <returns><see langword="false"/> when the user had no such session.</returns>
    Task<bool> DeleteAsync(string userId, Guid sessionId, CancellationToken cancellationToken = default);
}
