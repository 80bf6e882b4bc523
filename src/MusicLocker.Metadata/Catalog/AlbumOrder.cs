namespace MusicLocker.Metadata;

/// <summary>The album lists a player asks for (the Subsonic <c>getAlbumList2</c> types).</summary>
public enum AlbumOrder
{
    /// <summary>By title, then album artist.</summary>
    Name = 0,

    /// <summary>By album artist, then title.</summary>
    Artist,

    /// <summary>Latest upload first.</summary>
    Newest,

    /// <summary>In random order.</summary>
    Random,

    /// <summary>By year, within <see cref="AlbumListQuery.FromYear"/> to <see cref="AlbumListQuery.ToYear"/> (descending when from &gt; to).</summary>
    Year,

    /// <summary>Most played first (only albums with plays).</summary>
    Frequent,

    /// <summary>Latest played first (only albums with plays).</summary>
    Recent,

    /// <summary>Latest starred first (only starred albums).</summary>
    Starred,

    /// <summary>Highest rated first (only rated albums).</summary>
    Highest,
}
