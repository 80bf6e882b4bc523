namespace MusicLocker.Storage;

/// <summary>A key breaks one of the <see cref="BlobKey"/> rules (or a provider's own limit); <see cref="Rule"/> says which.</summary>
public sealed class InvalidBlobKeyException : BlobStoreException
{
    /// <summary>Creates the error.</summary>
    /// <param name="key">The key as given.</param>
    /// <param name="rule">The rule it breaks.</param>
    /// <param name="detail">What exactly is wrong and where (e.g. <c>a key must not contain a backslash (at index 3)</c>).</param>
    public InvalidBlobKeyException(string key, BlobKeyRule rule, string detail)
        : base(BlobErrorCode.InvalidKey, $"Invalid blob key '{Printable(key)}' ({rule}): {detail}.", key)
    {
        Rule = rule;
        Detail = detail;
    }

    /// <summary>The rule the key breaks.</summary>
    public BlobKeyRule Rule { get; }

    /// <summary>What exactly is wrong and where, in words.</summary>
    public string Detail { get; }

    private static string Printable(string key)
    {
        var chars = key.Length > 200 ? key[..200] + "…" : key;
        return string.Create(chars.Length, chars, static (span, s) =>
        {
            for (int i = 0; i < s.Length; i++)
            {
                span[i] = char.IsControl(s[i]) ? '?' : s[i];
            }
        });
    }
}
