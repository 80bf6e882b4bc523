namespace MusicLocker.AspNetCore.Subsonic;
internal sealed partial class SubsonicServer
{
    private void RegisterMedia() => _methods.Remove("stream");
}
