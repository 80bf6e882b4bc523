using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MusicLocker.Storage;

namespace MusicLocker.Testing.Storage;

/// <summary>
/// Closes s3rver's multipart gaps (<see cref="BlobStoreGaps.ListParts"/>, <see cref="BlobStoreGaps.AbortMultipart"/>) for
/// code above the store that needs them — the locker lists an upload's parts to complete and resume it. Each uploaded
/// part is recorded as a small object under <see cref="LedgerPrefix"/> in the same bucket (so every process using the
/// bucket sees it), <c>ListParts</c> reads those records, and <c>Abort</c> removes them (the emulator's own abort answers
/// 501 and is not called). Everything else goes to the real provider unchanged.
/// </summary>
public sealed class PartLedgerBlobStore(IBlobStore inner) : IBlobStore, IDisposable
{
    /// <summary>Where part records live: outside <c>users/</c>, so no locker listing or sweep sees them.</summary>
    public const string LedgerPrefix = "test-part-ledger/";

    public Task<BlobProperties> GetPropertiesAsync(BlobKey key, CancellationToken cancellationToken = default) => inner.GetPropertiesAsync(key, cancellationToken);

    public Task<BlobDownload> OpenReadAsync(BlobKey key, ReadBlobOptions? options = null, CancellationToken cancellationToken = default) => inner.OpenReadAsync(key, options, cancellationToken);

    public Task<BlobProperties> PutAsync(BlobKey key, Stream content, PutBlobOptions? options = null, CancellationToken cancellationToken = default) => inner.PutAsync(key, content, options, cancellationToken);

    public Task<BlobProperties> CopyAsync(BlobKey source, BlobKey destination, BlobRequestConditions? destinationConditions = null, CancellationToken cancellationToken = default) =>
        inner.CopyAsync(source, destination, destinationConditions, cancellationToken);

    public Task<bool> DeleteAsync(BlobKey key, BlobRequestConditions? conditions = null, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, conditions, cancellationToken);

    public IAsyncEnumerable<BlobItem> ListAsync(string prefix = "", CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);

    public Task<MultipartUpload> StartMultipartUploadAsync(BlobKey key, PutBlobOptions? options = null, CancellationToken cancellationToken = default) =>
        inner.StartMultipartUploadAsync(key, options, cancellationToken);

    public async Task<UploadedPart> UploadPartAsync(MultipartUpload upload, int partNumber, Stream content, CancellationToken cancellationToken = default)
    {
        var part = await inner.UploadPartAsync(upload, partNumber, content, cancellationToken).ConfigureAwait(false);
        byte[] record = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{part.ETag.Value}\n{part.Length}"));
        await inner.PutAsync(RecordKey(upload, partNumber), new MemoryStream(record), cancellationToken: cancellationToken).ConfigureAwait(false);
        return part;
    }

    public async Task<IReadOnlyList<UploadedPart>> ListPartsAsync(MultipartUpload upload, CancellationToken cancellationToken = default)
    {
        var parts = new List<UploadedPart>();
        await foreach (var item in inner.ListAsync(Folder(upload), cancellationToken).ConfigureAwait(false))
        {
            string[] record = Encoding.UTF8.GetString(await inner.ReadAllBytesAsync(item.Key, cancellationToken: cancellationToken).ConfigureAwait(false)).Split('\n');
            int number = int.Parse(item.Key.Value[(item.Key.Value.LastIndexOf('/') + 1)..], CultureInfo.InvariantCulture);
            parts.Add(new UploadedPart(number, new ETag(record[0]), long.Parse(record[1], CultureInfo.InvariantCulture)));
        }

        parts.Sort((a, b) => a.PartNumber.CompareTo(b.PartNumber));
        return parts;
    }

    public async Task<BlobProperties> CompleteMultipartUploadAsync(MultipartUpload upload, IReadOnlyList<UploadedPart> parts, CancellationToken cancellationToken = default)
    {
        var done = await inner.CompleteMultipartUploadAsync(upload, parts, cancellationToken).ConfigureAwait(false);
        await ForgetAsync(upload, cancellationToken).ConfigureAwait(false);
        return done;
    }

    public Task AbortMultipartUploadAsync(MultipartUpload upload, CancellationToken cancellationToken = default) => ForgetAsync(upload, cancellationToken);

    public void Dispose() => (inner as IDisposable)?.Dispose();

    private async Task ForgetAsync(MultipartUpload upload, CancellationToken cancellationToken)
    {
        var keys = new List<BlobKey>();
        await foreach (var item in inner.ListAsync(Folder(upload), cancellationToken).ConfigureAwait(false))
        {
            keys.Add(item.Key);
        }

        foreach (var key in keys)
        {
            await inner.DeleteAsync(key, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    private static string Folder(MultipartUpload upload) =>
        LedgerPrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(upload.Key.Value + "\n" + upload.UploadId))) + "/";

    private static BlobKey RecordKey(MultipartUpload upload, int partNumber) =>
        BlobKey.Parse(Folder(upload) + partNumber.ToString("D5", CultureInfo.InvariantCulture));
}
