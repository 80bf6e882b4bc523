namespace MusicLocker.AspNetCore.Subsonic;

/// <summary>System methods: ping, getLicense, getOpenSubsonicExtensions, getMusicFolders, getUser.</summary>
internal sealed partial class SubsonicServer
{
    /// <summary>The OpenSubsonic extensions this server implements, with their versions.</summary>
    internal static readonly (string Name, int[] Versions)[] Extensions =
    [
        ("apiKeyAuthentication", [1]),
        ("formPost", [1]),
        ("transcodeOffset", [1]),
    ];

    private void RegisterSystem()
    {
        Add("ping", static (_, _) => Task.CompletedTask);
        Add("getLicense", static (_, w) =>
        {
            w.StartElement("license");
            w.Attr("valid", true);
            w.EndElement();
            return Task.CompletedTask;
        });
        Add("getOpenSubsonicExtensions", static (_, w) =>
        {
            w.StartList("openSubsonicExtensions");
            foreach (var (name, versions) in Extensions)
            {
                w.StartItem();
                w.Attr("name", name);
                w.NumberList("versions", versions);
                w.EndItem();
            }

            w.EndList();
            return Task.CompletedTask;
        }, anonymous: true);
        Add("getMusicFolders", static (_, w) =>
        {
            w.StartElement("musicFolders");
            w.StartList("musicFolder");
            w.StartItem();
            w.Attr("id", 1);
            w.Attr("name", "Music");
            w.EndItem();
            w.EndList();
            w.EndElement();
            return Task.CompletedTask;
        });
        Add("getUser", static (call, w) =>
        {
            string username = call.Parameters.Required("username");
            if (!string.Equals(username, call.Username, StringComparison.Ordinal))
            {
                throw new SubsonicFault(SubsonicErrorCode.NotAuthorized, "A user can only read their own account.");
            }

            w.StartElement("user");
            w.Attr("username", username);
            w.Attr("scrobblingEnabled", true);
            w.Attr("adminRole", false);
            w.Attr("settingsRole", false);
            w.Attr("downloadRole", true);
            w.Attr("uploadRole", false);
            w.Attr("playlistRole", true);
            w.Attr("coverArtRole", false);
            w.Attr("commentRole", false);
            w.Attr("podcastRole", false);
            w.Attr("streamRole", true);
            w.Attr("jukeboxRole", false);
            w.Attr("shareRole", false);
            w.Attr("videoConversionRole", false);
            w.NumberList("folder", [1]);
            w.EndElement();
            return Task.CompletedTask;
        });

        // Account administration belongs to the app embedding the locker, not to players.
        foreach (string admin in new[] { "createUser", "updateUser", "deleteUser", "changePassword", "getUsers" })
        {
            Add(admin, static (_, _) => throw new SubsonicFault(SubsonicErrorCode.NotAuthorized, "Accounts are managed by the app, not through the Subsonic API."));
        }
    }
}
