using System.Data.Common;
using MusicLocker.Metadata.Sql;

namespace MusicLocker.Metadata.Sqlite;

/// <summary>
/// The schema as a list of migrations, each run once in its own transaction and recorded in <c>PRAGMA user_version</c>,
/// so a database written by an older version is upgraded in place when opened. Never edit a shipped migration; add one.
/// </summary>
internal static class SqliteSchema
{
    private static readonly Func<DbConnection, DbTransaction, CancellationToken, Task>[] Migrations =
    [
        (c, t, ct) => ExecAsync(c, t, V1Core, ct),
        AddSearchAsync,
        (c, t, ct) => ExecAsync(c, t, V3UploadsAndKeys, ct),
        (c, t, ct) => ExecAsync(c, t, V4CommentAndCompilation, ct),
        SqlMigrations.RepairLegacyChargesAsync, // version 5: a file is its hash and size; charge uploaded files that rode free
        (c, t, ct) => ExecAsync(c, t, V6UserKeyRecords, ct),
        (c, t, ct) => ExecAsync(c, t, AccountActivity, ct),
        (c, t, ct) => ExecAsync(c, t, AudioHashIndex, ct),
        (c, t, ct) => ExecAsync(c, t, AnnotationsAndCredentials, ct),
        (c, t, ct) => ExecAsync(c, t, RetentionNotice, ct),
        AddAlbumIndexAsync,
        (c, t, ct) => ExecAsync(c, t, CoverEdits, ct),
    ];

    public static int LatestVersion => Migrations.Length;

    /// <summary>Brings the database to <paramref name="targetVersion"/> (tests use older targets to build an old database).</summary>
    /// <returns>The version the database had.</returns>
    public static async Task<int> MigrateAsync(SqliteDialect dialect, int targetVersion, CancellationToken cancellationToken)
    {
        var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // WAL is a property of the file: set once, every later connection uses it.
            string mode = (string)(await connection.Sql(null, "PRAGMA journal_mode = WAL").FirstAsync(static r => r.GetString(0), string.Empty, cancellationToken).ConfigureAwait(false));
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new MetadataSchemaException($"SQLite refused WAL mode for '{connection.DataSource}' (journal mode is '{mode}'); the file system may not support shared memory.");
            }

            int? found = null;
            while (true)
            {
                var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    // Read inside the write transaction: a second process migrating at the same moment waits, then sees the new version.
                    int version = (int)await connection.Sql(transaction, "PRAGMA user_version").Int64Async(cancellationToken).ConfigureAwait(false);
                    found ??= version;
                    if (version > LatestVersion)
                    {
                        throw new MetadataSchemaException(
                            $"The database '{connection.DataSource}' has schema version {version}; this code knows up to {LatestVersion}. Upgrade MusicLocker.Metadata.Sqlite.", version);
                    }

                    if (version >= targetVersion)
                    {
                        return found.Value;
                    }

                    await Migrations[version](connection, transaction, cancellationToken).ConfigureAwait(false);
                    await connection.Sql(transaction, $"PRAGMA user_version = {version + 1}").ExecAsync(cancellationToken).ConfigureAwait(false);
                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    private static async Task ExecAsync(DbConnection connection, DbTransaction transaction, string sql, CancellationToken cancellationToken) =>
        await connection.Sql(transaction, sql).ExecAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// The FTS5 token naming a track's owner: "u" and the hex of the user id's UTF-8 bytes, exactly what the triggers
    /// compute with SQLite's <c>hex()</c>, and a single token for the unicode61 tokenizer whatever the id contains.
    /// </summary>
    public static string OwnerToken(string userId) => "u" + Convert.ToHexString(System.Text.Encoding.UTF8.GetBytes(userId));

    /// <summary>Version 2: folded search text on every track (computed here for existing rows), indexed by FTS5.</summary>
    private static async Task AddSearchAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await ExecAsync(connection, transaction, "ALTER TABLE tracks ADD COLUMN search_text TEXT NOT NULL DEFAULT ''", cancellationToken).ConfigureAwait(false);
        var rows = await connection.Sql(transaction, "SELECT seq, title, artist, album, album_artist FROM tracks")
            .ListAsync(static r => (Seq: r.GetInt64(0), Tags: new TrackTags(r.GetString(1), r.GetNullableString(2), r.GetNullableString(3), r.GetNullableString(4))), cancellationToken)
            .ConfigureAwait(false);
        foreach (var (seq, tags) in rows)
        {
            await connection.Sql(transaction, "UPDATE tracks SET search_text = @s WHERE seq = @seq")
                .With("s", SqlMigrations.SearchText(tags)).With("seq", seq).ExecAsync(cancellationToken).ConfigureAwait(false);
        }

        await ExecAsync(connection, transaction, V2Search, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The album index (see <c>AlbumIndex</c> in MusicLocker.Metadata.Sql), filled from the tracks already stored.</summary>
    private static async Task AddAlbumIndexAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await ExecAsync(connection, transaction, AlbumIndexTables, cancellationToken).ConfigureAwait(false);
        await SqlMigrations.RebuildAlbumIndexAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
    }

    private const string V1Core = """
        CREATE TABLE locker_users (
            user_id TEXT NOT NULL PRIMARY KEY,
            plan_id TEXT NOT NULL,
            quota_override_bytes INTEGER NULL,
            used_bytes INTEGER NOT NULL DEFAULT 0,
            reserved_bytes INTEGER NOT NULL DEFAULT 0,
            history_enabled INTEGER NOT NULL DEFAULT 1,
            created_at INTEGER NOT NULL);
        CREATE TABLE tracks (
            seq INTEGER PRIMARY KEY,
            id BLOB NOT NULL UNIQUE,
            user_id TEXT NOT NULL REFERENCES locker_users (user_id) ON DELETE CASCADE,
            title TEXT NOT NULL, artist TEXT NULL, album TEXT NULL, album_artist TEXT NULL, genre TEXT NULL, year INTEGER NULL,
            track_no INTEGER NOT NULL, track_count INTEGER NULL, disc_no INTEGER NOT NULL, disc_count INTEGER NULL,
            title_key TEXT NOT NULL, artist_key TEXT NOT NULL, album_key TEXT NOT NULL, album_artist_key TEXT NOT NULL, genre_key TEXT NOT NULL,
            duration_ms INTEGER NOT NULL, codec TEXT NOT NULL, bitrate_kbps INTEGER NOT NULL,
            size_bytes INTEGER NOT NULL, charged_bytes INTEGER NOT NULL, content_hash TEXT NOT NULL, audio_hash TEXT NOT NULL,
            is_purchased INTEGER NOT NULL, added_at INTEGER NOT NULL, storage_key TEXT NOT NULL);
        CREATE INDEX ix_tracks_title ON tracks (user_id, title_key, id);
        CREATE INDEX ix_tracks_artist ON tracks (user_id, artist_key, album_key, disc_no, track_no, title_key, id);
        CREATE INDEX ix_tracks_album ON tracks (user_id, album_artist_key, album_key, disc_no, track_no, title_key, id);
        CREATE INDEX ix_tracks_added ON tracks (user_id, added_at, id);
        CREATE INDEX ix_tracks_genre ON tracks (user_id, genre_key);
        CREATE INDEX ix_tracks_hash ON tracks (user_id, content_hash);
        CREATE INDEX ix_tracks_storage_key ON tracks (user_id, storage_key);
        CREATE TABLE playlists (
            id BLOB NOT NULL PRIMARY KEY,
            user_id TEXT NOT NULL REFERENCES locker_users (user_id) ON DELETE CASCADE,
            name TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
        CREATE INDEX ix_playlists_user ON playlists (user_id, name);
        CREATE TABLE playlist_entries (
            id BLOB NOT NULL PRIMARY KEY,
            playlist_id BLOB NOT NULL REFERENCES playlists (id) ON DELETE CASCADE,
            track_id BLOB NOT NULL REFERENCES tracks (id) ON DELETE CASCADE,
            position INTEGER NOT NULL, added_at INTEGER NOT NULL);
        CREATE INDEX ix_entries_playlist ON playlist_entries (playlist_id, position);
        CREATE INDEX ix_entries_track ON playlist_entries (track_id);
        CREATE TABLE plays (
            seq INTEGER PRIMARY KEY,
            user_id TEXT NOT NULL REFERENCES locker_users (user_id) ON DELETE CASCADE,
            track_id BLOB NOT NULL REFERENCES tracks (id) ON DELETE CASCADE,
            played_at INTEGER NOT NULL);
        CREATE INDEX ix_plays_user ON plays (user_id, played_at, seq);
        CREATE INDEX ix_plays_track ON plays (track_id);
        CREATE TABLE quota_reservations (
            id BLOB NOT NULL PRIMARY KEY,
            user_id TEXT NOT NULL REFERENCES locker_users (user_id) ON DELETE CASCADE,
            bytes INTEGER NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL);
        CREATE INDEX ix_reservations_user ON quota_reservations (user_id, expires_at);
        """;

    // A contentless FTS5 index (rowid = tracks.seq) of the folded search text and the owner token, kept in step by
    // triggers (cascaded deletes fire them too). Contentless: the text lives once, in tracks; contentless_delete lets
    // the triggers delete by rowid alone.
    private const string V2Search = """
        CREATE VIRTUAL TABLE track_search USING fts5(search_text, search_owner, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2');
        CREATE TRIGGER tracks_search_insert AFTER INSERT ON tracks BEGIN
            INSERT INTO track_search (rowid, search_text, search_owner) VALUES (new.seq, new.search_text, 'u' || hex(new.user_id));
        END;
        CREATE TRIGGER tracks_search_delete AFTER DELETE ON tracks BEGIN
            DELETE FROM track_search WHERE rowid = old.seq;
        END;
        CREATE TRIGGER tracks_search_update AFTER UPDATE OF search_text ON tracks BEGIN
            DELETE FROM track_search WHERE rowid = old.seq;
            INSERT INTO track_search (rowid, search_text, search_owner) VALUES (new.seq, new.search_text, 'u' || hex(new.user_id));
        END;
        INSERT INTO track_search (rowid, search_text, search_owner) SELECT seq, search_text, 'u' || hex(user_id) FROM tracks;
        """;

    // Version 4: the last two normalised tags the media layer reads.
    private const string V4CommentAndCompilation = """
        ALTER TABLE tracks ADD COLUMN comment TEXT NULL;
        ALTER TABLE tracks ADD COLUMN compilation INTEGER NULL;
        """;

    private const string V3UploadsAndKeys = """
        CREATE TABLE upload_sessions (
            id BLOB NOT NULL PRIMARY KEY,
            user_id TEXT NOT NULL REFERENCES locker_users (user_id) ON DELETE CASCADE,
            storage_key TEXT NOT NULL, file_name TEXT NOT NULL, declared_bytes INTEGER NOT NULL, received_bytes INTEGER NOT NULL,
            reservation_id BLOB NULL, multipart_upload_id TEXT NULL, state INTEGER NOT NULL, version INTEGER NOT NULL,
            created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
        CREATE INDEX ix_uploads_user ON upload_sessions (user_id, state, created_at);
        CREATE INDEX ix_uploads_stale ON upload_sessions (state, updated_at);
        CREATE TABLE user_keys (
            user_id TEXT NOT NULL REFERENCES locker_users (user_id) ON DELETE CASCADE,
            key_id TEXT NOT NULL, wrapped_key BLOB NOT NULL, master_key_id TEXT NOT NULL, created_at INTEGER NOT NULL,
            PRIMARY KEY (user_id, key_id));
        CREATE INDEX ix_user_keys_master ON user_keys (master_key_id, user_id, key_id);
        """;

    // Version 6: the crypto layer's user key records (MusicLocker.Crypto.IUserKeyStore). Not tied to locker_users, so a
    // destroyed key's tombstone outlives the account. The v3 table user_keys (the old, unused key contract) is left as it
    // is: nothing reads it, and dropping it could lose what an app stored there.
    private const string V6UserKeyRecords = """
        CREATE TABLE user_key_records (
            tenant_id TEXT NOT NULL, user_id TEXT NOT NULL,
            current_version INTEGER NOT NULL, destroyed_at TEXT NULL, etag TEXT NOT NULL,
            PRIMARY KEY (tenant_id, user_id));
        CREATE TABLE user_key_versions (
            tenant_id TEXT NOT NULL, user_id TEXT NOT NULL, version INTEGER NOT NULL, position INTEGER NOT NULL,
            wrapped_key BLOB NOT NULL, created_at TEXT NOT NULL, retired_at TEXT NULL,
            PRIMARY KEY (tenant_id, user_id, version),
            FOREIGN KEY (tenant_id, user_id) REFERENCES user_key_records (tenant_id, user_id) ON DELETE CASCADE);
        """;

    // Account activity for retention (last use, inactivity warning, deletion claim). An upgraded database starts every
    // existing account's inactivity at the upgrade, on the wall clock: nobody is deleted for time the locker did not see.
    private const string AccountActivity = """
        ALTER TABLE locker_users ADD COLUMN last_active_at INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE locker_users ADD COLUMN retention_warned_at INTEGER NULL;
        ALTER TABLE locker_users ADD COLUMN retention_claimed_at INTEGER NULL;
        UPDATE locker_users SET last_active_at = MAX(created_at, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
        CREATE INDEX ix_users_last_active ON locker_users (last_active_at);
        """;

    // Version 8: the audio-hash index. audio_claim is the audio hash of a track added
    // through ITrackCatalog.AddTrackIfNewAudioAsync (NULL otherwise; NULLs never collide): unique per user, so a
    // user holds each audio payload once, whichever instance adds it. ix_tracks_audio serves FindByAudioHashAsync.
    private const string AudioHashIndex = """
        ALTER TABLE tracks ADD COLUMN audio_claim TEXT NULL;
        CREATE UNIQUE INDEX ux_tracks_audio_claim ON tracks (user_id, audio_claim);
        CREATE INDEX ix_tracks_audio ON tracks (user_id, audio_hash);
        """;

    // Stars and ratings (key1/key2: the folded names the catalog groups by; track_id cascades a track's row away), API key
    // hashes (unique: a key names its user) and sealed app passwords, for players speaking the Subsonic API.
    private const string AnnotationsAndCredentials = """
        CREATE TABLE annotations (
            user_id TEXT NOT NULL REFERENCES locker_users (user_id) ON DELETE CASCADE,
            kind INTEGER NOT NULL, key1 TEXT NOT NULL, key2 TEXT NOT NULL,
            track_id BLOB NULL REFERENCES tracks (id) ON DELETE CASCADE,
            name1 TEXT NULL, name2 TEXT NULL, starred_at INTEGER NULL, rating INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (user_id, kind, key1, key2));
        CREATE INDEX ix_annotations_starred ON annotations (user_id, kind, starred_at);
        CREATE INDEX ix_annotations_track ON annotations (track_id);
        CREATE TABLE api_keys (
            id BLOB NOT NULL PRIMARY KEY,
            user_id TEXT NOT NULL REFERENCES locker_users (user_id) ON DELETE CASCADE,
            key_hash BLOB NOT NULL UNIQUE, label TEXT NOT NULL, created_at INTEGER NOT NULL);
        CREATE INDEX ix_api_keys_user ON api_keys (user_id, created_at);
        CREATE TABLE app_passwords (
            user_id TEXT NOT NULL PRIMARY KEY REFERENCES locker_users (user_id) ON DELETE CASCADE,
            sealed BLOB NOT NULL, updated_at INTEGER NOT NULL);
        """;

    // Retention notices: when an instance claimed sending the inactivity warning (a lease, so a crashed sender is taken
    // over); retention_warned_at is set only once the app's notifier has taken the warning.
    private const string RetentionNotice = """
        ALTER TABLE locker_users ADD COLUMN retention_notice_at INTEGER NULL;
        """;

    // The album index: what an album list shows, one row per album (and per album and genre, for lists of one genre),
    // kept exact by the catalog's writes. One index per order an album list pages on: the primary key serves by artist,
    // the others by title, newest (latest upload first; ties by artist, title) and year (either direction).
    private const string AlbumIndexTables = """
        CREATE TABLE album_index (
            user_id TEXT NOT NULL REFERENCES locker_users (user_id) ON DELETE CASCADE,
            album_artist_key TEXT NOT NULL, album_key TEXT NOT NULL,
            artist TEXT NULL, album TEXT NULL, track_count INTEGER NOT NULL, duration_ms INTEGER NOT NULL, year INTEGER NULL,
            genre TEXT NULL, first_track_id BLOB NOT NULL, added_at INTEGER NOT NULL,
            PRIMARY KEY (user_id, album_artist_key, album_key));
        CREATE INDEX ix_album_index_name ON album_index (user_id, album_key, album_artist_key);
        CREATE INDEX ix_album_index_newest ON album_index (user_id, added_at DESC, album_artist_key, album_key);
        CREATE INDEX ix_album_index_year ON album_index (user_id, year, album_artist_key, album_key);
        CREATE INDEX ix_album_index_year_desc ON album_index (user_id, year DESC, album_artist_key, album_key);
        CREATE TABLE album_genre_index (
            user_id TEXT NOT NULL REFERENCES locker_users (user_id) ON DELETE CASCADE,
            album_artist_key TEXT NOT NULL, album_key TEXT NOT NULL, genre_key TEXT NOT NULL,
            artist TEXT NULL, album TEXT NULL, track_count INTEGER NOT NULL, duration_ms INTEGER NOT NULL, year INTEGER NULL,
            genre TEXT NULL, first_track_id BLOB NOT NULL, added_at INTEGER NOT NULL,
            PRIMARY KEY (user_id, album_artist_key, album_key, genre_key));
        CREATE INDEX ix_album_genre_index_name ON album_genre_index (user_id, genre_key, album_key, album_artist_key);
        CREATE INDEX ix_album_genre_index_artist ON album_genre_index (user_id, genre_key, album_artist_key, album_key);
        """;

    // Cover-art edits: one row per edited track (the track's row cascades it away); storage_key NULL is a removed cover.
    // ix_track_covers_key serves the reconcile/sweep listing of a user's picture keys in byte order.
    private const string CoverEdits = """
        CREATE TABLE track_covers (
            track_id BLOB NOT NULL PRIMARY KEY REFERENCES tracks (id) ON DELETE CASCADE,
            user_id TEXT NOT NULL REFERENCES locker_users (user_id) ON DELETE CASCADE,
            storage_key TEXT NULL, mime_type TEXT NULL, length_bytes INTEGER NOT NULL, sha256 TEXT NULL,
            updated_at INTEGER NOT NULL);
        CREATE INDEX ix_track_covers_key ON track_covers (user_id, storage_key);
        """;
}
