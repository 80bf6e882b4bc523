using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MusicLocker.DependencyInjection;
using MusicLocker.Metadata;
using MusicLocker.Testing;

namespace MusicLocker.Media.TagLib.Tests;

/// <summary>
/// The locker's side of tag edits: edits stored in the catalog show in every listing, and a download of an edited track
/// carries them (through <see cref="MusicLockerOptions.TagCopyWriter"/> = <see cref="EditedCopyWriter"/>) with the audio
/// payload byte-identical to the stored original's, while ranged reads and unedited downloads stay the original.
/// The locker is the embedded default: encrypted objects, SQLite catalog.
/// </summary>
public sealed class EditedDownloadTests
{
    private static readonly MediaProber Prober = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal static MusicLockerOptions WithWriter(EditedCopyOptions? options = null) => new() { TagCopyWriter = new EditedCopyWriter(options) };

    /// <summary>An embedded locker in a temp folder, and alice's locker in it.</summary>
    internal sealed class Session : IAsyncDisposable
    {
        private readonly TempFolder _folder;
        private readonly ILocker _locker;

        public ILocker Locker => _locker;

        public string Folder => _folder.Path;

        private Session(TempFolder folder, ILocker locker)
        {
            _folder = folder;
            _locker = locker;
            User = locker.ForUser("alice");
        }

        public IUserLocker User { get; }

        public static async Task<Session> OpenAsync(MusicLockerOptions options)
        {
            var folder = new TempFolder();
            return new Session(folder, await MusicLocker.Locker.OpenEmbeddedAsync(folder.Path, options, Ct));
        }

        /// <summary>Uploads a fixture: the track and the file's bytes.</summary>
        public async Task<(LockerTrack Track, byte[] Original)> UploadAsync(string fixture)
        {
            string path = EditedCopyWriterTests.Fixture(fixture);
            var track = (await User.Uploads.UploadFileAsync(path, cancellationToken: Ct)).Track;
            return (track, await File.ReadAllBytesAsync(path, Ct));
        }

        public async ValueTask DisposeAsync()
        {
            await _locker.DisposeAsync();
            _folder.Dispose();
        }
    }

    private static async Task<byte[]> DownloadAsync(IUserLocker user, Guid id)
    {
        using var copy = new MemoryStream();
        long written = await user.Downloads.DownloadToAsync(id, copy, cancellationToken: Ct);
        Assert.Equal(copy.Length, written);
        return copy.ToArray();
    }

    private static async Task<byte[]> ReadWholeAsync(IUserLocker user, Guid id)
    {
        var content = await user.Downloads.OpenReadAsync(id, cancellationToken: Ct);
        await using var stream = content.Content;
        using var bytes = new MemoryStream();
        await stream.CopyToAsync(bytes, Ct);
        return bytes.ToArray();
    }

    private static string PayloadHash(byte[] file)
    {
        var info = Prober.Probe(file);
        return Convert.ToHexString(SHA256.HashData(file.AsSpan((int)info.AudioOffset, (int)info.AudioLength)));
    }

    private static TrackTags Edited(TrackTags tags) => tags with
    {
        Title = "Punk To Funk",
        Artist = "Ünïcødé Artist",
        Album = "Edited Album",
        AlbumArtist = "Various",
        Genre = "Funk",
        Year = 1987,
        TrackNumber = 4,
        TrackCount = 11,
        DiscNumber = 2,
        DiscCount = 3,
        Comment = "edited in the catalog",
    };

    [Theory]
    [InlineData("mp3/id3v23-full.mp3", Id3v2Version.Default, TagFormat.Id3v24)]
    [InlineData("mp3/id3v23-full.mp3", Id3v2Version.V23, TagFormat.Id3v23)]
    [InlineData("mp3/ape-lyrics-id3v1.mp3", Id3v2Version.V24, TagFormat.Id3v24)]
    [InlineData("mp3/vbr-noheader.mp3", Id3v2Version.V23, TagFormat.Id3v23)]
    [InlineData("m4a/faststart-tagged.m4a", Id3v2Version.Default, TagFormat.Mp4Ilst)]
    [InlineData("m4a/moov-at-end.m4a", Id3v2Version.Default, TagFormat.Mp4Ilst)]
    public async Task A_download_of_an_edited_track_carries_the_edits_and_the_original_audio_byte_for_byte(string fixture, Id3v2Version version, TagFormat format)
    {
        await using var session = await Session.OpenAsync(WithWriter(new EditedCopyOptions { Id3v2Version = version }));
        var user = session.User;
        var (track, original) = await session.UploadAsync(fixture);

        // Before any edit, the download is the stored original.
        Assert.Equal(original, await DownloadAsync(user, track.Id));

        await user.Tracks.UpdateTagsAsync(track.Id, Edited(track.Tags), Ct);
        byte[] copy = await DownloadAsync(user, track.Id);

        var before = Prober.Probe(original);
        var after = Prober.Probe(copy);
        Assert.Equal(before.AudioLength, after.AudioLength);
        Assert.Equal(PayloadHash(original), PayloadHash(copy));
        Assert.Equal(before.FrameCount, after.FrameCount);
        Assert.Equal([format], after.Tags.Formats);
        var t = after.Tags;
        Assert.Equal(("Punk To Funk", "Ünïcødé Artist", "Edited Album", "Various", "Funk"), (t.Title, t.Artist, t.Album, t.AlbumArtist, t.Genre));
        Assert.Equal((1987, 4, 11, 2, 3), (t.Year, t.TrackNumber, t.TrackCount, t.DiscNumber, t.DiscCount));
        Assert.Equal("edited in the catalog", t.Comment);
        Assert.Equal(before.Pictures.Count, after.Pictures.Count); // the cover is kept

        // The stored original is untouched: a whole ranged read returns it byte for byte.
        Assert.Equal(original, await ReadWholeAsync(user, track.Id));
    }

    [Fact]
    public async Task Without_a_tag_copy_writer_an_edited_track_downloads_as_the_stored_original()
    {
        await using var session = await Session.OpenAsync(new MusicLockerOptions());
        var user = session.User;
        var (track, original) = await session.UploadAsync("mp3/id3v23-full.mp3");

        await user.Tracks.UpdateTagsAsync(track.Id, Edited(track.Tags), Ct);

        Assert.Equal(original, await DownloadAsync(user, track.Id));
    }

    [Fact]
    public async Task A_writer_set_on_the_options_after_the_locker_opened_has_no_effect()
    {
        var options = new MusicLockerOptions();
        await using var session = await Session.OpenAsync(options);
        options.TagCopyWriter = new EditedCopyWriter();
        var user = session.User;
        var (track, original) = await session.UploadAsync("mp3/id3v23-full.mp3");

        await user.Tracks.UpdateTagsAsync(track.Id, Edited(track.Tags), Ct);

        Assert.Equal(original, await DownloadAsync(user, track.Id));
    }

    [Fact]
    public async Task The_writer_is_given_in_code_beside_options_bound_from_configuration()
    {
        using var folder = new TempFolder();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MusicLocker:Folder"] = folder.Path,
            ["MusicLocker:PartSize"] = "32768",
        }).Build();
        var services = new ServiceCollection();
        services.AddMusicLocker(configuration.GetSection("MusicLocker"));
        services.AddMusicLocker(o => o.TagCopyWriter = new EditedCopyWriter(new EditedCopyOptions { Id3v2Version = Id3v2Version.V23 }));
        await using var provider = services.BuildServiceProvider();
        var user = provider.GetRequiredService<ILocker>().ForUser("alice");
        var track = (await user.Uploads.UploadFileAsync(EditedCopyWriterTests.Fixture("mp3/id3v23-full.mp3"), cancellationToken: Ct)).Track;

        await user.Tracks.UpdateTagsAsync(track.Id, track.Tags with { Title = "Through DI" }, Ct);

        var copy = Prober.Probe(await DownloadAsync(user, track.Id));
        Assert.Equal("Through DI", copy.Tags.Title);
        Assert.Equal([TagFormat.Id3v23], copy.Tags.Formats);
    }

    [Fact]
    public async Task A_field_cleared_in_the_catalog_is_removed_from_the_copy_and_the_rest_kept()
    {
        await using var session = await Session.OpenAsync(WithWriter());
        var user = session.User;
        var (track, original) = await session.UploadAsync("mp3/id3v23-full.mp3");
        var before = Prober.Probe(original);
        Assert.NotNull(before.Tags.Album);

        await user.Tracks.UpdateTagsAsync(track.Id, track.Tags with { Album = null, TrackNumber = null }, Ct);

        var t = Prober.Probe(await DownloadAsync(user, track.Id)).Tags;
        Assert.Null(t.Album);
        Assert.Null(t.TrackNumber);
        Assert.Equal(before.Tags.Title, t.Title);
        Assert.Equal(before.Tags.Artist, t.Artist);
        Assert.Equal(before.Tags.Year, t.Year);
    }

    [Fact]
    public async Task A_file_without_a_title_gets_the_catalog_title_once_another_field_is_edited()
    {
        // cbr-info-lame.mp3 has no tags: it was catalogued under its file name, which the catalog does not tell apart
        // from an edited title, so a title alone is not written; with any other edit the copy carries the whole view.
        await using var session = await Session.OpenAsync(WithWriter());
        var user = session.User;
        var (track, original) = await session.UploadAsync("mp3/cbr-info-lame.mp3");
        Assert.Equal("cbr-info-lame", track.Tags.Title);

        Assert.Equal(original, await DownloadAsync(user, track.Id));
        await user.Tracks.UpdateTagsAsync(track.Id, track.Tags with { Artist = "Someone" }, Ct);

        var t = Prober.Probe(await DownloadAsync(user, track.Id)).Tags;
        Assert.Equal(("cbr-info-lame", "Someone"), (t.Title, t.Artist));
    }

    [Theory]
    [InlineData(70_000, null)]
    [InlineData(null, -5)]
    [InlineData(null, 12_345)]
    public async Task A_catalog_value_no_tag_can_hold_is_a_typed_error_and_writes_nothing(int? trackNumber, int? year)
    {
        await using var session = await Session.OpenAsync(WithWriter());
        var user = session.User;
        var (track, _) = await session.UploadAsync("m4a/faststart-tagged.m4a");
        await user.Tracks.UpdateTagsAsync(track.Id, track.Tags with { TrackNumber = trackNumber ?? track.Tags.TrackNumber, Year = year ?? track.Tags.Year }, Ct);
        using var copy = new MemoryStream();

        var e = await Assert.ThrowsAsync<LockerException>(() => user.Downloads.DownloadToAsync(track.Id, copy, cancellationToken: Ct));

        Assert.Equal(LockerErrorCode.InvalidArgument, e.ErrorCode);
        Assert.Contains(trackNumber is null ? "Year" : "TrackNumber", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, copy.Length);
    }

    [Fact]
    public async Task An_edited_adts_track_downloads_as_the_stored_original()
    {
        // ADTS has no tag players read: the writer declines, having written nothing.
        await using var session = await Session.OpenAsync(WithWriter());
        var user = session.User;
        var (track, original) = await session.UploadAsync("aac/lc-44k-stereo.aac");

        await user.Tracks.UpdateTagsAsync(track.Id, Edited(track.Tags), Ct);

        Assert.Equal(original, await DownloadAsync(user, track.Id));
    }

    [Fact]
    public async Task Edited_values_show_in_browse_search_albums_artists_and_genres()
    {
        await using var session = await Session.OpenAsync(new MusicLockerOptions());
        var user = session.User;
        var (track, _) = await session.UploadAsync("mp3/id3v23-full.mp3");

        await user.Tracks.UpdateTagsAsync(track.Id, Edited(track.Tags), Ct);

        Assert.Equal("Punk To Funk", (await user.Tracks.GetAsync(track.Id, Ct)).Tags.Title);
        Assert.Equal("Punk To Funk", Assert.Single(await user.Tracks.ListAsync(cancellationToken: Ct).ToListAsync(Ct)).Tags.Title);
        Assert.Equal(track.Id, Assert.Single(await user.Tracks.SearchAsync("funk unicode", Ct).ToListAsync(Ct)).Id);
        Assert.Empty(await user.Tracks.SearchAsync(track.Tags.Title, Ct).ToListAsync(Ct));
        var album = Assert.Single(await user.Tracks.ListAlbumsAsync(Ct).ToListAsync(Ct));
        Assert.Equal(("Various", "Edited Album", 1987), (album.AlbumArtist, album.Title, album.Year));
        Assert.Contains(await user.Tracks.ListArtistsAsync(Ct).ToListAsync(Ct), a => a.Name == "Ünïcødé Artist" || a.Name == "Various");
        Assert.Equal("Funk", Assert.Single(await user.Tracks.ListGenresAsync(Ct).ToListAsync(Ct)).Name);
    }

    [Fact]
    public async Task Downloads_racing_edits_each_carry_one_whole_edit()
    {
        // Each download reads the catalog once: its copy carries one edit's title and artist together, never a mix.
        await using var session = await Session.OpenAsync(WithWriter());
        var user = session.User;
        var (track, original) = await session.UploadAsync("mp3/cbr-info-lame.mp3");
        string payload = PayloadHash(original);

        var edits = Task.Run(async () =>
        {
            for (int i = 0; i < 20; i++)
            {
                await user.Tracks.UpdateTagsAsync(track.Id, track.Tags with { Title = $"Title {i}", Artist = $"Artist {i}" }, Ct);
            }
        }, Ct);
        var downloads = Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
        {
            var seen = new List<byte[]>();
            for (int i = 0; i < 4; i++)
            {
                seen.Add(await DownloadAsync(user, track.Id));
            }

            return seen;
        }, Ct)).ToArray();
        await edits;

        foreach (byte[] copy in (await Task.WhenAll(downloads)).SelectMany(c => c))
        {
            Assert.Equal(payload, PayloadHash(copy));
            var t = Prober.Probe(copy).Tags;
            if (t.Title is { } title && title.StartsWith("Title ", StringComparison.Ordinal))
            {
                Assert.Equal("Artist " + title["Title ".Length..], t.Artist);
            }
            else
            {
                Assert.Equal(original, copy); // downloaded before the first edit
            }
        }
    }

    [Fact]
    public async Task A_download_of_a_missing_track_is_a_typed_error_and_writes_nothing()
    {
        await using var session = await Session.OpenAsync(WithWriter());
        using var copy = new MemoryStream();

        var e = await Assert.ThrowsAsync<LockerException>(() => session.User.Downloads.DownloadToAsync(Guid.NewGuid(), copy, cancellationToken: Ct));

        Assert.Equal(LockerErrorCode.TrackNotFound, e.ErrorCode);
        Assert.Equal(0, copy.Length);
    }
}
