namespace MusicLocker.Media.Tags.Id3v1;

/// <summary>The ID3v1 genre list (0-79 from the ID3v1 specification, 80-191 the Winamp extensions every tagger uses).</summary>
internal static class Id3Genres
{
    private static readonly string[] Names =
    [
        "Blues", "Classic Rock", "Country", "Dance", "Disco", "Funk", "Grunge", "Hip-Hop", "Jazz", "Metal",
        "New Age", "Oldies", "Other", "Pop", "R&B", "Rap", "Reggae", "Rock", "Techno", "Industrial",
        "Alternative", "Ska", "Death Metal", "Pranks", "Soundtrack", "Euro-Techno", "Ambient", "Trip-Hop", "Vocal", "Jazz+Funk",
        "Fusion", "Trance", "Classical", "Instrumental", "Acid", "House", "Game", "Sound Clip", "Gospel", "Noise",
        "Alternative Rock", "Bass", "Soul", "Punk", "Space", "Meditative", "Instrumental Pop", "Instrumental Rock", "Ethnic", "Gothic",
        "Darkwave", "Techno-Industrial", "Electronic", "Pop-Folk", "Eurodance", "Dream", "Southern Rock", "Comedy", "Cult", "Gangsta",
        "Top 40", "Christian Rap", "Pop/Funk", "Jungle", "Native American", "Cabaret", "New Wave", "Psychedelic", "Rave", "Showtunes",
        "Trailer", "Lo-Fi", "Tribal", "Acid Punk", "Acid Jazz", "Polka", "Retro", "Musical", "Rock & Roll", "Hard Rock",
        "Folk", "Folk-Rock", "National Folk", "Swing", "Fast Fusion", "Bebop", "Latin", "Revival", "Celtic", "Bluegrass",
        "Avantgarde", "Gothic Rock", "Progressive Rock", "Psychedelic Rock", "Symphonic Rock", "Slow Rock", "Big Band", "Chorus", "Easy Listening", "Acoustic",
        "Humour", "Speech", "Chanson", "Opera", "Chamber Music", "Sonata", "Symphony", "Booty Bass", "Primus", "Porn Groove",
        "Satire", "Slow Jam", "Club", "Tango", "Samba", "Folklore", "Ballad", "Power Ballad", "Rhythmic Soul", "Freestyle",
        "Duet", "Punk Rock", "Drum Solo", "A Cappella", "Euro-House", "Dance Hall", "Goa", "Drum & Bass", "Club-House", "Hardcore Techno",
        "Terror", "Indie", "BritPop", "Afro-Punk", "Polsk Punk", "Beat", "Christian Gangsta Rap", "Heavy Metal", "Black Metal", "Crossover",
        "Contemporary Christian", "Christian Rock", "Merengue", "Salsa", "Thrash Metal", "Anime", "Jpop", "Synthpop", "Abstract", "Art Rock",
        "Baroque", "Bhangra", "Big Beat", "Breakbeat", "Chillout", "Downtempo", "Dub", "EBM", "Eclectic", "Electro",
        "Electroclash", "Emo", "Experimental", "Garage", "Global", "IDM", "Illbient", "Industro-Goth", "Jam Band", "Krautrock",
        "Leftfield", "Lounge", "Math Rock", "New Romantic", "Nu-Breakz", "Post-Punk", "Post-Rock", "Psytrance", "Shoegaze", "Space Rock",
        "Trop Rock", "World Music", "Neoclassical", "Audiobook", "Audio Theatre", "Neue Deutsche Welle", "Podcast", "Indie Rock", "G-Funk", "Dubstep",
        "Garage Rock", "Psybient",
    ];

    public static string? Name(int index) => (uint)index < (uint)Names.Length ? Names[index] : null;

    /// <summary>
    /// Resolves an ID3v2 TCON value: <c>(17)</c> and <c>17</c> are genre numbers, <c>(17)Rock</c> is a number refined by
    /// text (the text wins), <c>(RX)</c>/<c>(CR)</c> are Remix/Cover, <c>((</c> escapes a literal parenthesis.
    /// </summary>
    public static string? Resolve(string value)
    {
        var v = value.AsSpan().Trim();
        if (v.IsEmpty)
        {
            return null;
        }

        string? fromNumber = null;
        while (v.Length > 1 && v[0] == '(' && v[1] != '(')
        {
            int close = v.IndexOf(')');
            if (close < 0)
            {
                break;
            }

            var inner = v[1..close];
            string? name = inner switch
            {
                "RX" => "Remix",
                "CR" => "Cover",
                _ => int.TryParse(inner, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) ? Name(n) : null,
            };
            if (name is null)
            {
                break;
            }

            fromNumber ??= name;
            v = v[(close + 1)..];
        }

        if (!v.IsEmpty)
        {
            if (v.StartsWith("(("))
            {
                return string.Concat("(", v[2..]);
            }

            if (fromNumber is null && int.TryParse(v, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int plain))
            {
                return Name(plain) ?? v.ToString();
            }

            return v.ToString();
        }

        return fromNumber;
    }
}
