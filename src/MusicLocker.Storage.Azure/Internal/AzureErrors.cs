using System.Net;
using System.Xml;

namespace MusicLocker.Storage.Azure.Internal;

/// <summary>Maps Blob service error responses (status, <c>x-ms-error-code</c>, the XML body's message) to the storage exceptions.</summary>
internal static class AzureErrors
{
    public static string? Code(HttpResponseMessage response) =>
        response.Headers.TryGetValues("x-ms-error-code", out var values) ? values.FirstOrDefault() : null;

    /// <summary>The storage exception for a failed response about <paramref name="key"/>; reads (a bounded part of) the body.</summary>
    public static async Task<BlobStoreException> MapAsync(HttpResponseMessage response, string operation, string key, CancellationToken cancellationToken)
    {
        string? code = Code(response);
        string? message = await ReadMessageAsync(response, cancellationToken).ConfigureAwait(false);
        string detail = $"{operation} of '{key}' failed: Azure Blob answered {(int)response.StatusCode} {code ?? response.ReasonPhrase}{(message is null ? string.Empty : ": " + message)}";
        return (response.StatusCode, code) switch
        {
            (HttpStatusCode.NotFound, "ContainerNotFound") => new BlobStoreException(BlobErrorCode.InvalidArgument, $"{detail}. Create the container or fix AzureBlobStoreOptions.ContainerName.", key),
            (HttpStatusCode.NotFound, _) => new BlobNotFoundException(key, $"No blob has the key '{key}'. ({detail})"),
            (HttpStatusCode.PreconditionFailed, _) => new BlobConditionFailedException(key, detail),
            (HttpStatusCode.Conflict, "BlobAlreadyExists") => new BlobConditionFailedException(key, $"A blob with the key '{key}' exists already (create-only write)."),
            (HttpStatusCode.RequestedRangeNotSatisfiable, _) => new BlobStoreException(BlobErrorCode.RangeNotSatisfiable, detail, key),
            (HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized, _) => new BlobStoreException(BlobErrorCode.AccessDenied, $"{detail}. Check the account key, SAS (permissions, expiry) or token role.", key),
            (HttpStatusCode.BadRequest, "InvalidBlockList" or "InvalidBlockId") => new BlobStoreException(BlobErrorCode.InvalidPart, detail, key),
            (HttpStatusCode.BadRequest, _) => new BlobStoreException(BlobErrorCode.InvalidArgument, detail, key),
            (HttpStatusCode.NotImplemented, _) => new BlobStoreException(BlobErrorCode.Unknown, $"{detail}. This endpoint does not implement the operation; retrying will not help.", key),
            _ when AzurePipeline.IsTransient(response.StatusCode) => new BlobStoreException(BlobErrorCode.Unavailable, $"{detail}. Retries were spent; retrying later may succeed.", key),
            _ => new BlobStoreException((int)response.StatusCode >= 500 ? BlobErrorCode.Unavailable : BlobErrorCode.Unknown, detail, key),
        };
    }

    /// <summary>The <c>Message</c> of an <c>&lt;Error&gt;</c> body, if the response has one (at most 16 KiB are read).</summary>
    private static async Task<string?> ReadMessageAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength is null or 0 or > 16 * 1024)
        {
            return null;
        }

        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            using var reader = XmlReader.Create(stream, new XmlReaderSettings { Async = true, DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
            while (await reader.ReadAsync().ConfigureAwait(false))
            {
                if (reader.NodeType == XmlNodeType.Element && reader.Name == "Message")
                {
                    string text = await reader.ReadElementContentAsStringAsync().ConfigureAwait(false);
                    int newline = text.IndexOf('\n', StringComparison.Ordinal);
                    return newline > 0 ? text[..newline].Trim() : text.Trim();
                }
            }
        }
        catch (XmlException)
        {
            // Not an XML error body (a proxy's HTML page): the status and code say enough.
        }
        catch (HttpRequestException)
        {
            // The connection closed while reading the body: the status and code say enough.
        }

        return null;
    }
}
