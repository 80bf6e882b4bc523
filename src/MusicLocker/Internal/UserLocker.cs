namespace MusicLocker.Internal;

/// <summary>One user's view: every call passes this user id to the layers, so nothing of another user is reachable.</summary>
internal sealed class UserLocker : IUserLocker
{
    public UserLocker(LockerCore core, string userId)
    {
        UserId = userId;
        var tracks = new UserTracks(core, userId);
        Tracks = tracks;
        Downloads = new UserDownloads(core, tracks);
        Uploads = new TracedUploads(core, userId, new UserUploads(core, userId));
        Playlists = new UserPlaylists(core, userId);
        History = new UserHistory(core, userId);
        Quota = new UserQuota(core, userId);
        Account = new UserAccount(core, userId);
        Library = new UserLibrary(core, userId, tracks);
        Annotations = new UserAnnotations(core, userId);
        Access = new UserAccess(core, userId);
    }

    public string UserId { get; }

    public ILockerTracks Tracks { get; }

    public ILockerUploads Uploads { get; }

    public ILockerDownloads Downloads { get; }

    public ILockerPlaylists Playlists { get; }

    public ILockerHistory History { get; }

    public ILockerQuota Quota { get; }

    public ILockerAccount Account { get; }

    public ILockerLibrary Library { get; }

    public ILockerAnnotations Annotations { get; }

    public ILockerAccess Access { get; }
}
