namespace MusicLocker.Media.TagLib.Internal;

/// <summary>TagLibSharp's file abstraction over a small in-memory buffer (a tag region, never the audio).</summary>
internal sealed class MemoryFileAbstraction(string name, MemoryStream stream) : global::TagLib.File.IFileAbstraction
{
    public string Name => name;

    public Stream ReadStream => stream;

    public Stream WriteStream => stream;

    public void CloseStream(Stream stream)
    {
        // The buffer stays open: the caller reads the rewritten bytes from it.
    }
}
