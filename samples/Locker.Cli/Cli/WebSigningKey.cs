using System.Security.Cryptography;

namespace Locker.Cli.Cli;

/// <summary>
/// The key the web sample signs stream URLs with, and <c>locker play-url</c> too: 32 random bytes in
/// <c>ROOT/web-signing.key</c> (owner-only), made on first use, so a URL the CLI prints plays in the web sample.
/// </summary>
internal static class WebSigningKey
{
    public const string FileName = "web-signing.key";

    /// <summary>The key id the web sample registers the key under.</summary>
    public const string KeyId = "web1";

    public static async Task<byte[]> LoadOrCreateAsync(string root, CancellationToken cancellationToken = default)
    {
        string path = Path.Combine(Path.GetFullPath(root), FileName);
        if (File.Exists(path))
        {
            return await ReadAsync(path, cancellationToken);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        byte[] key = RandomNumberGenerator.GetBytes(32);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            await using var file = new FileStream(path, options);
            await file.WriteAsync(key, cancellationToken);
            return key;
        }
        catch (IOException) when (File.Exists(path))
        {
            return await ReadAsync(path, cancellationToken); // another process made it first
        }
    }

    private static async Task<byte[]> ReadAsync(string path, CancellationToken cancellationToken)
    {
        byte[] key = await File.ReadAllBytesAsync(path, cancellationToken);
        return key.Length == 32 ? key : throw new CliException(CliExit.Failed, $"'{path}' is not a 32-byte signing key; delete it to make a new one (URLs signed with the old key stop working).");
    }
}
