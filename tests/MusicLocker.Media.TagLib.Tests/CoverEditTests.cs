using System.Security.Cryptography;
using MusicLocker.Testing;

namespace MusicLocker.Media.TagLib.Tests;

/// <summary>
/// Cover edits stored by the locker (embedded default: encrypted objects, SQLite catalog): every reader shows them, edited
/// copies carry them with the audio payload byte-identical, and no picture object outlives the edit that names it.
/// </summary>
public sealed class CoverEditTests
{
    private static readonly MediaProber Prober = new();

    private static readonly byte[] Png =
        Convert.FromHexString("89504E470D0A1A0A0000000D49484452000000010000000108060000001F15C4890000000D4944415478DA63F8FFFF3F0005FE02FEA7D6A4C40000000049454E44AE426082");

    private static readonly byte[] Jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xFF, 0xD9];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<byte[]> DownloadAsync(IUserLocker user, Guid id, Id3v2Version version = Id3v2Version.Default)
    {
        using var copy = new MemoryStream();
        await user.Downloads.DownloadToAsync(id, copy, new DownloadOptions { Id3v2Version = version }, Ct);
        return copy.ToArray();
    }

    private static async Task<(byte[] Bytes, string MimeType)> ReadCoverAsync(IUserLocker user, Guid id)
    {
        await using var cover = await user.Downloads.OpenCoverArtAsync(id, Ct);
        using var bytes = new MemoryStream();
        await cover.Content.CopyToAsync(bytes, Ct);
        Assert.Equal(cover.Length, bytes.Length);
        return (bytes.ToArray(), cover.MimeType);
    }

    private static void AssertCover(byte[] expected, string mimeType, (byte[] Bytes, string MimeType) actual)
    {
        Assert.Equal(expected, actual.Bytes);
        Assert.Equal(mimeType, actual.MimeType);
    }

    private static string Payload(byte[] file)
    {
        var info = Prober.Probe(file);
        return Convert.ToHexString(SHA256.HashData(file.AsSpan((int)info.AudioOffset, (int)info.AudioLength)));
    }

    /// <summary>The stored cover objects (file-system store: <c>users.d/{user}.d/covers.d/*.blob</c>).</summary>
    private static string[] CoverObjects(string folder) =>
        Directory.GetDirectories(folder, "covers.d", SearchOption.AllDirectories).SelectMany(d => Directory.GetFiles(d, "*.blob")).ToArray();

    [Theory]
    [InlineData("mp3/id3v23-full.mp3", Id3v2Version.V23, TagFormat.Id3v23)]
    [InlineData("mp3/big-cover.mp3", Id3v2Version.V24, TagFormat.Id3v24)]
    [InlineData("m4a/faststart-tagged.m4a", Id3v2Version.Default, TagFormat.Mp4Ilst)]
    [InlineData("m4a/big-cover-moov-at-end.m4a", Id3v2Version.Default, TagFormat.Mp4Ilst)]
    public async Task A_set_cover_is_what_every_reader_shows_and_what_a_copy_carries_with_the_audio_unchanged(string fixture, Id3v2Version version, TagFormat format)
    {
        await using var session = await EditedDownloadTests.Session.OpenAsync(EditedDownloadTests.WithWriter());
        var user = session.User;
        var (track, original) = await session.UploadAsync(fixture);

        await user.Tracks.SetCoverArtAsync(track.Id, Png, "image/png", Ct);
        AssertCover(Png, "image/png", await ReadCoverAsync(user, track.Id));

        byte[] copy = await DownloadAsync(user, track.Id, version);
        var after = Prober.Probe(copy);
        Assert.Equal(Payload(original), Payload(copy));
        Assert.Equal(Prober.Probe(original).AudioLength, after.AudioLength);
        Assert.Equal([format], after.Tags.Formats);
        var picture = Assert.Single(after.Pictures);
        Assert.Equal("image/png", picture.MimeType);
        Assert.Equal(Png, copy.AsSpan((int)picture.Offset, (int)picture.Length).ToArray());
        Assert.Single(CoverObjects(session.Folder));

        // Replaced: the new picture shows, the old object is gone.
        await user.Tracks.SetCoverArtAsync(track.Id, Jpeg, "image/jpeg", Ct);
        AssertCover(Jpeg, "image/jpeg", await ReadCoverAsync(user, track.Id));
        Assert.Single(CoverObjects(session.Folder));

        // Removed: no reader shows a cover, the copy has none, no object is left.
        await user.Tracks.RemoveCoverArtAsync(track.Id, Ct);
        var e = await Assert.ThrowsAsync<LockerException>(() => ReadCoverAsync(user, track.Id));
        Assert.Equal(LockerErrorCode.CoverArtNotFound, e.ErrorCode);
        copy = await DownloadAsync(user, track.Id);
        Assert.Empty(Prober.Probe(copy).Pictures);
        Assert.Equal(Payload(original), Payload(copy));
        Assert.Empty(CoverObjects(session.Folder));

        // Restored: the file's own cover again, and the download is the original.
        await user.Tracks.RestoreCoverArtAsync(track.Id, Ct);
        Assert.Equal(original, await DownloadAsync(user, track.Id));
        var own = Prober.Probe(original).CoverArt!;
        Assert.Equal(own.MimeType, (await ReadCoverAsync(user, track.Id)).MimeType);
    }

    [Fact]
    public async Task The_compilation_flag_edited_in_the_catalog_is_written_into_the_copy()
    {
        await using var session = await EditedDownloadTests.Session.OpenAsync(EditedDownloadTests.WithWriter());
        var (track, original) = await session.UploadAsync("mp3/id3v23-full.mp3");
        await session.User.Tracks.UpdateTagsAsync(track.Id, track.Tags with { Compilation = true }, Ct);

        byte[] copy = await DownloadAsync(session.User, track.Id);
        Assert.True(Prober.Probe(copy).Tags.Compilation);
        Assert.Equal(Payload(original), Payload(copy));
    }

    [Fact]
    public async Task Another_user_can_neither_set_nor_read_a_cover_and_gets_the_same_not_found_as_for_a_missing_track()
    {
        await using var session = await EditedDownloadTests.Session.OpenAsync(EditedDownloadTests.WithWriter());
        var (track, _) = await session.UploadAsync("mp3/id3v23-full.mp3");
        await session.User.Tracks.SetCoverArtAsync(track.Id, Png, "image/png", Ct);
        var bob = session.Locker.ForUser("bob");

        foreach (var id in new[] { track.Id, Guid.NewGuid() })
        {
            Func<Task>[] calls =
            [
                () => bob.Tracks.SetCoverArtAsync(id, Jpeg, "image/jpeg", Ct),
                () => bob.Tracks.RemoveCoverArtAsync(id, Ct),
                () => bob.Tracks.RestoreCoverArtAsync(id, Ct),
                () => ReadCoverAsync(bob, id),
            ];
            foreach (var call in calls)
            {
                Assert.Equal(LockerErrorCode.TrackNotFound, (await Assert.ThrowsAsync<LockerException>(call)).ErrorCode);
            }
        }

        AssertCover(Png, "image/png", await ReadCoverAsync(session.User, track.Id));
        Assert.Single(CoverObjects(session.Folder));
    }

    [Fact]
    public async Task An_oversized_empty_non_image_or_lying_cover_is_refused_naming_the_field_and_stores_nothing()
    {
        await using var session = await EditedDownloadTests.Session.OpenAsync(EditedDownloadTests.WithWriter());
        var (track, _) = await session.UploadAsync("mp3/id3v23-full.mp3");
        var big = new byte[ILockerTracks.MaxCoverArtBytes + 1];
        Png.CopyTo(big, 0);

        (byte[] Picture, string Mime, string Field)[] cases =
        [
            (big, "image/png", "picture"),
            ([], "image/png", "picture"),
            ("<html></html>"u8.ToArray(), "image/png", "mimeType"),
            (Png, "image/jpeg", "mimeType"),
            (Png, "image/gif", "mimeType"),
        ];
        foreach (var (picture, mime, field) in cases)
        {
            var e = await Assert.ThrowsAsync<LockerException>(() => session.User.Tracks.SetCoverArtAsync(track.Id, picture, mime, Ct));
            Assert.Equal(LockerErrorCode.InvalidArgument, e.ErrorCode);
            Assert.StartsWith(field + ":", e.Message, StringComparison.Ordinal);
        }

        Assert.Empty(CoverObjects(session.Folder));
        var bad = await Assert.ThrowsAsync<LockerException>(() => session.User.Downloads.DownloadToAsync(track.Id, new MemoryStream(), new DownloadOptions { Id3v2Version = (Id3v2Version)7 }, Ct));
        Assert.Equal(LockerErrorCode.InvalidArgument, bad.ErrorCode);
    }

    [Fact]
    public async Task Concurrent_cover_edits_of_one_track_end_with_one_cover_and_no_orphan_object()
    {
        var clock = new ManualTimeProvider();
        var options = EditedDownloadTests.WithWriter();
        options.TimeProvider = clock;
        await using var session = await EditedDownloadTests.Session.OpenAsync(options);
        var (track, _) = await session.UploadAsync("mp3/id3v23-full.mp3");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var edits = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            await gate.Task;
            if (i % 4 == 3)
            {
                await session.User.Tracks.RemoveCoverArtAsync(track.Id, Ct);
            }
            else
            {
                await session.User.Tracks.SetCoverArtAsync(track.Id, i % 2 == 0 ? Png : Jpeg, i % 2 == 0 ? "image/png" : "image/jpeg", Ct);
            }
        }, Ct)).ToArray();
        gate.SetResult();
        await Task.WhenAll(edits);

        int objects = CoverObjects(session.Folder).Length;
        try
        {
            var (bytes, mime) = await ReadCoverAsync(session.User, track.Id);
            Assert.Equal(mime == "image/png" ? Png : Jpeg, bytes);
            Assert.Equal(1, objects);
        }
        catch (LockerException e) when (e.ErrorCode == LockerErrorCode.CoverArtNotFound)
        {
            Assert.Equal(0, objects); // a removal was last
        }

        clock.Advance(TimeSpan.FromHours(1)); // every object is past reconcile's minimum age: a leaked picture would show
        var report = await session.Locker.ReconcileAsync("alice", new ReconcileOptions { MinimumAge = TimeSpan.FromMinutes(1) }, Ct);
        Assert.True(report.IsConsistent, string.Join("; ", report.Issues));
    }

    [Fact]
    public async Task Deleting_the_track_removes_its_picture_and_reconcile_keeps_named_pictures_but_removes_orphans()
    {
        var clock = new ManualTimeProvider();
        var options = EditedDownloadTests.WithWriter();
        options.TimeProvider = clock;
        await using var session = await EditedDownloadTests.Session.OpenAsync(options);
        var (kept, _) = await session.UploadAsync("mp3/id3v23-full.mp3");
        var (deleted, _) = await session.UploadAsync("m4a/faststart-tagged.m4a");
        await session.User.Tracks.SetCoverArtAsync(kept.Id, Png, "image/png", Ct);
        await session.User.Tracks.SetCoverArtAsync(deleted.Id, Jpeg, "image/jpeg", Ct);
        Assert.Equal(2, CoverObjects(session.Folder).Length);

        await session.User.Tracks.DeleteAsync(deleted.Id, Ct);
        Assert.Single(CoverObjects(session.Folder));

        clock.Advance(TimeSpan.FromHours(1));
        var clean = await session.Locker.ReconcileAsync("alice", new ReconcileOptions { MinimumAge = TimeSpan.FromMinutes(1), Repair = true }, Ct);
        Assert.True(clean.IsConsistent, string.Join("; ", clean.Issues));
        AssertCover(Png, "image/png", await ReadCoverAsync(session.User, kept.Id));

        // A picture stored by an edit that crashed before its catalog row: an orphan that reconcile finds and removes.
        string orphanFolder = Path.GetDirectoryName(Assert.Single(CoverObjects(session.Folder)))!;
        File.Copy(Assert.Single(CoverObjects(session.Folder)), Path.Combine(orphanFolder, "0123456789abcdef0123456789abcdef.blob"));
        clock.Advance(TimeSpan.FromHours(1));
        var found = await session.Locker.ReconcileAsync("alice", new ReconcileOptions { MinimumAge = TimeSpan.FromMinutes(1), Repair = true }, Ct);
        var issue = Assert.Single(found.Issues);
        Assert.Equal(ReconcileIssueKind.ObjectWithoutTrack, issue.Kind);
        Assert.EndsWith("covers/0123456789abcdef0123456789abcdef", issue.Subject, StringComparison.Ordinal);
        Assert.Single(CoverObjects(session.Folder));
        AssertCover(Png, "image/png", await ReadCoverAsync(session.User, kept.Id));
    }
}
