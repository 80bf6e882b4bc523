using System.Security.Cryptography;
using System.Text;

namespace MusicLocker.Storage.Azure.Internal;

/// <summary>
/// Shared Key authorization for the Blob service (https://learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key):
/// an HMAC-SHA256, with the account key, of the verb, the standard headers, the <c>x-ms-*</c> headers and the resource.
/// </summary>
/// <remarks>
/// The canonical resource is <c>/{account}{encoded path}</c> plus the query parameters. With a path-style endpoint
/// (Azurite: <c>http://host:port/devstoreaccount1/container/blob</c>) the path already starts with the account, so the
/// account appears twice (<c>/devstoreaccount1/devstoreaccount1/container/blob</c>), which is what Azurite expects.
/// </remarks>
internal sealed class SharedKeySigner(string accountName, string accountKey)
{
    private readonly byte[] _key = Convert.FromBase64String(accountKey);

    public string AccountName => accountName;

    /// <summary>Adds the <c>Authorization</c> header; call after every other header and the content are set.</summary>
    public void Sign(HttpRequestMessage request)
    {
        string toSign = StringToSign(request);
        string signature = Convert.ToBase64String(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(toSign)));
        request.Headers.TryAddWithoutValidation("Authorization", $"SharedKey {accountName}:{signature}");
    }

    internal string StringToSign(HttpRequestMessage request)
    {
        var content = request.Content?.Headers;
        long? length = content?.ContentLength;
        var sb = new StringBuilder(256);
        sb.Append(request.Method.Method).Append('\n');
        sb.Append(Join(content?.ContentEncoding)).Append('\n');
        sb.Append(Join(content?.ContentLanguage)).Append('\n');
        sb.Append(length is null or 0 ? string.Empty : length.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        sb.Append(content?.ContentMD5 is { } md5 ? Convert.ToBase64String(md5) : string.Empty).Append('\n');
        sb.Append(content?.ContentType?.ToString() ?? string.Empty).Append('\n');
        sb.Append('\n'); // Date: x-ms-date is sent instead
        sb.Append(Header(request, "If-Modified-Since")).Append('\n');
        sb.Append(Header(request, "If-Match")).Append('\n');
        sb.Append(Header(request, "If-None-Match")).Append('\n');
        sb.Append(Header(request, "If-Unmodified-Since")).Append('\n');
        sb.Append(Header(request, "Range")).Append('\n');

        var msHeaders = new List<(string Name, string Value)>();
        foreach (var header in request.Headers)
        {
            if (header.Key.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase))
            {
                msHeaders.Add((header.Key.ToLowerInvariant(), string.Join(',', header.Value).Trim()));
            }
        }

        msHeaders.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        foreach (var (name, value) in msHeaders)
        {
            sb.Append(name).Append(':').Append(value).Append('\n');
        }

        var uri = request.RequestUri!;
        sb.Append('/').Append(accountName).Append(uri.AbsolutePath);
        var query = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            string name = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]).ToLowerInvariant();
            string value = eq < 0 ? string.Empty : Uri.UnescapeDataString(pair[(eq + 1)..]);
            if (!query.TryGetValue(name, out var values))
            {
                query[name] = values = [];
            }

            values.Add(value);
        }

        foreach (var (name, values) in query)
        {
            values.Sort(StringComparer.Ordinal);
            sb.Append('\n').Append(name).Append(':').Append(string.Join(',', values));
        }

        return sb.ToString();
    }

    private static string Join(ICollection<string>? values) => values is null || values.Count == 0 ? string.Empty : string.Join(',', values);

    private static string Header(HttpRequestMessage request, string name) =>
        request.Headers.TryGetValues(name, out var values) ? string.Join(',', values) : string.Empty;
}
