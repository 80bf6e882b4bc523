namespace MusicLocker.Media.Tests;

/// <summary>Tags of every format into one model, checked against mutagen and against what make-fixtures.py wrote.</summary>
public sealed class TagTests
{
    private static readonly MediaProber Prober = new();

    private static AudioTags Tags(string file) => Prober.Probe(Fixtures.Bytes(file)).Tags;

    [Theory]
    [InlineData("mp3/id3v23-full.mp3")]
    [InlineData("mp3/id3v22.mp3")]
    [InlineData("mp3/id3v23-unsync.mp3")]
    [InlineData("mp3/id3v24-frame-unsync-footer.mp3")]
    [InlineData("mp3/big-cover.mp3")]
    [InlineData("m4a/faststart-tagged.m4a")]
    [InlineData("m4a/co64-largesize.m4a")]
    public void Title_artist_album_match_mutagen(string file)
    {
        var tags = Tags(file);
        Assert.Equal(Fixtures.MutagenTag(file, "title"), tags.Title);
        Assert.Equal(Fixtures.MutagenTag(file, "artist"), tags.Artist);
        Assert.Equal(Fixtures.MutagenTag(file, "album"), tags.Album);
        Assert.Equal(Fixtures.MutagenTag(file, "albumartist"), tags.AlbumArtist);
        Assert.Equal(Fixtures.MutagenTag(file, "genre"), tags.Genre);
    }

    [Fact]
    public void Id3v23_every_field()
    {
        var t = Tags("mp3/id3v23-full.mp3");
        Assert.Equal("Héllo Wörld", t.Title);
        Assert.Equal("Various Artists", t.AlbumArtist);
        Assert.Equal((3, 12), (t.TrackNumber, t.TrackCount));
        Assert.Equal((1, 2), (t.DiscNumber, t.DiscCount));
        Assert.Equal(1999, t.Year);
        Assert.Equal("Rock", t.Genre); // "(17)"
        Assert.Equal("A comment", t.Comment); // not the iTunNORM one
        Assert.True(t.Compilation);
        Assert.Contains(new TagField(TagFormat.Id3v23, "TXXX:REPLAYGAIN_TRACK_GAIN", "-6.5 dB"), t.RawFields);
        Assert.Equal([TagFormat.Id3v23], t.Formats);
    }

    [Fact]
    public void Id3v24_multiple_values_dates_and_refined_genre_with_id3v1_below()
    {
        var t = Tags("mp3/id3v24-multi.mp3");
        Assert.Equal("Artist One; Artist Two", t.Artist);
        Assert.Equal(2004, t.Year);
        Assert.Equal(7, t.TrackNumber);
        Assert.Null(t.TrackCount);
        Assert.Equal("Rock & Roll", t.Genre); // "(17)Rock & Roll": the refinement wins
        Assert.Equal([TagFormat.Id3v24, TagFormat.Id3v1], t.Formats);
    }

    [Fact]
    public void Id3v22_is_read()
    {
        var t = Tags("mp3/id3v22.mp3");
        Assert.Equal((5, 9), (t.TrackNumber, t.TrackCount));
        Assert.Equal(1998, t.Year);
        Assert.Equal("Rock", t.Genre); // "17"
        Assert.Equal("Old comment", t.Comment);
        Assert.Equal([TagFormat.Id3v22], t.Formats);
    }

    [Fact]
    public void Id3v24_per_frame_unsynchronisation_with_data_length_indicator()
    {
        var t = Tags("mp3/id3v24-frame-unsync-footer.mp3");
        Assert.Equal("Frame Unsync é", t.Title);
        Assert.Equal("DLI Artist", t.Artist);
        Assert.Equal("Pop", t.Genre);
    }

    [Fact]
    public void Stacked_tags_are_all_read()
    {
        var t = Tags("mp3/stacked-id3-junk.mp3");
        Assert.Equal("First Tag", t.Title);
        Assert.Equal("Second Tag Album", t.Album);
        Assert.Equal([TagFormat.Id3v23, TagFormat.Id3v23], t.Formats);
    }

    [Fact]
    public void Ape_wins_over_id3v1_and_id3v1_fills_the_gaps()
    {
        var t = Tags("mp3/ape-lyrics-id3v1.mp3");
        Assert.Equal("Ape Title", t.Title);
        Assert.Equal((4, 10), (t.TrackNumber, t.TrackCount));
        Assert.Equal(2011, t.Year);
        Assert.Equal("Jazz", t.Genre);
        Assert.Equal("V1 comment", t.Comment); // only the ID3v1.1 tag has one
        Assert.Contains(new TagField(TagFormat.Id3v1, "track", "9"), t.RawFields);
        Assert.Contains(new TagField(TagFormat.Id3v1, "title", "V1 Title"), t.RawFields);
        Assert.Equal("V1 Title", Fixtures.MutagenTag("mp3/ape-lyrics-id3v1.mp3", "title")); // mutagen reads the ID3v1 only
    }

    [Fact]
    public void Itunes_ilst_every_field()
    {
        var t = Tags("m4a/faststart-tagged.m4a");
        Assert.Equal("M4A Title", t.Title);
        Assert.Equal("M4A Album Artist", t.AlbumArtist);
        Assert.Equal((2, 11), (t.TrackNumber, t.TrackCount));
        Assert.Equal((1, 3), (t.DiscNumber, t.DiscCount));
        Assert.Equal(2015, t.Year);
        Assert.Equal("Electronic", t.Genre);
        Assert.Equal("M4A comment", t.Comment);
        Assert.True(t.Compilation);
        Assert.Contains(new TagField(TagFormat.Mp4Ilst, "tmpo", "120"), t.RawFields);
    }

    [Fact]
    public void Untagged_files_have_empty_tags()
    {
        Assert.True(Tags("mp3/vbr-noheader.mp3").IsEmpty);
        Assert.True(Tags("m4a/moov-at-end.m4a").IsEmpty);
    }

    [Fact]
    public void Itunes_id3v24_tags_with_plain_frame_sizes_are_read()
    {
        // iTunes wrote ID3v2.4 frame sizes as plain integers: 256 = 00 00 01 00, which as syncsafe would be 128.
        string title = new('x', 255);
        byte[] tit2 = [.. "TIT2"u8, 0, 0, 1, 0, 0, 0, 3, .. System.Text.Encoding.ASCII.GetBytes(title)];
        byte[] tpe1 = [.. "TPE1"u8, 0, 0, 0, 7, 0, 0, 3, .. "Artist"u8];
        byte[] body = [.. tit2, .. tpe1, .. new byte[64]];
        byte[] tag = [.. "ID3"u8, 4, 0, 0, 0, 0, (byte)(body.Length >> 7), (byte)(body.Length & 0x7F), .. body];
        byte[] file = [.. tag, .. Fixtures.Bytes("mp3/vbr-noheader.mp3")];

        var whole = Prober.Probe(file);
        var oneByte = Prober.CreateStreamParser();
        foreach (byte b in file)
        {
            oneByte.Append([b]);
        }

        Assert.Equal(title, whole.Tags.Title);
        Assert.Equal("Artist", whole.Tags.Artist);
        Assert.Equal(Fixtures.Describe(whole), Fixtures.Describe(oneByte.Complete()));
    }

    [Fact]
    public void Lyrics3v1_before_id3v1_is_not_audio()
    {
        var audio = Fixtures.Bytes("mp3/vbr-noheader.mp3");
        byte[] v1 = [.. "TAG"u8, .. new byte[124], 17];
        "Lyrics Title"u8.CopyTo(v1.AsSpan(3));
        byte[] file = [.. audio, .. "LYRICSBEGIN"u8, .. "[00:01]la la la"u8, .. "LYRICSEND"u8, .. v1];

        var info = Prober.Probe(file);

        Assert.Equal(Prober.Probe(audio).AudioLength, info.AudioLength);
        Assert.Equal("Lyrics Title", info.Tags.Title);
        Assert.Equal("Rock", info.Tags.Genre);
        Assert.Empty(info.Warnings);
    }
}
