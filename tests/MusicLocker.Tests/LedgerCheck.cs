namespace MusicLocker.Tests;

/// <summary>
/// The ending every interrupted upload must reach once reservations expired and the sweep ran: nothing reserved, no
/// pending upload, and either nothing (no track, nothing charged, no object) or one byte-identical track charged its size
/// with exactly its object and sidecar in storage (ledger == storage).
/// </summary>
internal static class LedgerCheck
{
    /// <returns>Whether the upload ended with the track.</returns>
    public static async Task<bool> WholeTrackOrNothingAsync(IUserLocker user, IReadOnlyList<string> objects, byte[] original, string where)
    {
        var ct = TestContext.Current.CancellationToken;
        var tracks = await EndToEndTests.ToListAsync(user.Tracks.ListAsync(cancellationToken: ct));
        var quota = await user.Quota.GetStatusAsync(ct);
        Assert.True(quota.ReservedBytes == 0, $"{where}: {quota.ReservedBytes} bytes still reserved");
        Assert.True((await user.Uploads.ListPendingAsync(ct)).Count == 0, $"{where}: an upload is still pending");
        if (tracks.Count == 0)
        {
            Assert.True(quota.UsedBytes == 0, $"{where}: {quota.UsedBytes} bytes charged for no track");
            Assert.True(objects.Count == 0, $"{where}: objects left: {string.Join(", ", objects)}");
            return false;
        }

        var track = Assert.Single(tracks);
        Assert.True(quota.UsedBytes == original.Length, $"{where}: {quota.UsedBytes} bytes charged for a {original.Length}-byte track");
        Assert.True(objects.Count == 2, $"{where}: objects: {string.Join(", ", objects)}");
        var download = new MemoryStream();
        await user.Downloads.DownloadToAsync(track.Id, download, cancellationToken: ct);
        Assert.True(original.AsSpan().SequenceEqual(download.ToArray()), $"{where}: the download differs from the file");
        return true;
    }
}
