using System.Data.Common;
using MusicLocker.Metadata.Sql;

namespace MusicLocker.Metadata.Postgres;

/// <summary>
/// The schema as a list of migrations recorded in <c>musiclocker_schema</c>. Instances starting together serialise on a
/// transaction-scoped advisory lock, so each migration runs exactly once. Never edit a shipped migration; add one.
/// </summary>
internal static class PostgresSchema
{
    /// <summary>An arbitrary, fixed advisory-lock key ("MLSCHEMA" in ASCII) for schema migrations.</summary>
    private const long MigrationLockKey = 0x4D4C_5343_4845_4D41;

    private static readonly Func<DbConnection, DbTransaction, CancellationToken, Task>[] Migrations =
    [
        (c, t, ct) => c.Sql(t, V1).ExecAsync(ct),
        (c, t, ct) => c.Sql(t, V2).ExecAsync(ct),
        SqlMigrations.RepairLegacyChargesAsync, // version 3: a file is its hash and size; charge uploaded files that rode free
        (c, t, ct) => c.Sql(t, V4).ExecAsync(ct),
        (c, t, ct) => c.Sql(t, AccountActivity).ExecAsync(ct),
        (c, t, ct) => c.Sql(t, AudioHashIndex).ExecAsync(ct),
        (c, t, ct) => c.Sql(t, AnnotationsAndCredentials).ExecAsync(ct),
        (c, t, ct) => c.Sql(t, RetentionNotice).ExecAsync(ct),
        async (c, t, ct) =>
        {
            await c.Sql(t, AlbumIndexTables).ExecAsync(ct).ConfigureAwait(false);
            await SqlMigrations.RebuildAlbumIndexAsync(c, t, ct).ConfigureAwait(false);
        },
        (c, t, ct) => c.Sql(t, CoverEdits).ExecAsync(ct),
    ];

    public static int LatestVersion => Migrations.Length;

    /// <summary>Brings the database to <paramref name="targetVersion"/> (tests use older targets to build an old database).</summary>
    /// <returns>The version the database had.</returns>
    public static async Task<int> MigrateAsync(PostgresDialect dialect, int targetVersion, CancellationToken cancellationToken)
    {
        var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                await connection.Sql(transaction, "SELECT pg_advisory_xact_lock(@k)").With("k", MigrationLockKey).ExecAsync(cancellationToken).ConfigureAwait(false);
                await connection.Sql(transaction, "CREATE TABLE IF NOT EXISTS musiclocker_schema (version integer NOT NULL)").ExecAsync(cancellationToken).ConfigureAwait(false);
                int version = (int)await connection.Sql(transaction, "SELECT COALESCE(MAX(version), 0) FROM musiclocker_schema").Int64Async(cancellationToken).ConfigureAwait(false);
                if (version > LatestVersion)
                {
                    throw new MetadataSchemaException(
                        $"The database '{connection.Database}' has MusicLocker schema version {version}; this code knows up to {LatestVersion}. Upgrade MusicLocker.Metadata.Postgres.", version);
                }

                int found = version;
                for (; version < targetVersion; version++)
                {
                    await Migrations[version](connection, transaction, cancellationToken).ConfigureAwait(false);
                    await connection.Sql(transaction, "DELETE FROM musiclocker_schema").ExecAsync(cancellationToken).ConfigureAwait(false);
                    await connection.Sql(transaction, "INSERT INTO musiclocker_schema (version) VALUES (@v)").With("v", version + 1).ExecAsync(cancellationToken).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return found;
            }
        }
    }

    // Version 6: the audio-hash index. audio_claim is the audio hash of a track added
    // through ITrackCatalog.AddTrackIfNewAudioAsync (NULL otherwise; NULLs never collide): unique per user, so a
    // user holds each audio payload once, whichever instance adds it. ix_tracks_audio serves FindByAudioHashAsync.
    private const string AudioHashIndex = """
        ALTER TABLE tracks ADD COLUMN audio_claim text NULL;
        CREATE UNIQUE INDEX ux_tracks_audio_claim ON tracks (user_id, audio_claim);
        CREATE INDEX ix_tracks_audio ON tracks (user_id, audio_hash);
        """;

    // Version 4: the crypto layer's user key records (MusicLocker.Crypto.IUserKeyStore). Not tied to locker_users, so a
    // destroyed key's tombstone outlives the account. Ids compare as bytes ("C"), as on SQLite, for keyset listing. The
    // v1 table user_keys (the old, unused key contract) is left as it is: nothing reads it.
    private const string V4 = """
        CREATE TABLE user_key_records (
            tenant_id text COLLATE "C" NOT NULL, user_id text COLLATE "C" NOT NULL,
            current_version integer NOT NULL, destroyed_at text NULL, etag text NOT NULL,
            PRIMARY KEY (tenant_id, user_id));
        CREATE TABLE user_key_versions (
            tenant_id text COLLATE "C" NOT NULL, user_id text COLLATE "C" NOT NULL, version integer NOT NULL, position integer NOT NULL,
            wrapped_key bytea NOT NULL, created_at text NOT NULL, retired_at text NULL,
            PRIMARY KEY (tenant_id, user_id, version),
            FOREIGN KEY (tenant_id, user_id) REFERENCES user_key_records (tenant_id, user_id) ON DELETE CASCADE);
        """;

    // Version 2: the last two normalised tags the media layer reads.
    private const string V2 = """
        ALTER TABLE tracks ADD COLUMN comment text NULL, ADD COLUMN compilation boolean NULL;
        """;

    // Sort keys use the "C" collation: they are folded by CatalogText already, so byte order is the order wanted, the same
    // as SQLite's, and keyset comparisons agree with the indexes whatever the database's default locale.
    private const string V1 = """
        CREATE TABLE locker_users (
            user_id text NOT NULL PRIMARY KEY,
            plan_id text NOT NULL,
            quota_override_bytes bigint NULL,
            used_bytes bigint NOT NULL DEFAULT 0,
            reserved_bytes bigint NOT NULL DEFAULT 0,
            history_enabled boolean NOT NULL DEFAULT TRUE,
            created_at bigint NOT NULL);
        CREATE TABLE tracks (
            id uuid NOT NULL PRIMARY KEY,
            seq bigint GENERATED ALWAYS AS IDENTITY,
            user_id text NOT NULL REFERENCES locker_users (user_id) ON DELETE CASCADE,
            title text NOT NULL, artist text NULL, album text NULL, album_artist text NULL, genre text NULL, year integer NULL,
            track_no integer NOT NULL, track_count integer NULL, disc_no integer NOT NULL, disc_count integer NULL,
            title_key text COLLATE "C" NOT NULL, artist_key text COLLATE "C" NOT NULL, album_key text COLLATE "C" NOT NULL,
            album_artist_key text COLLATE "C" NOT NULL, genre_key text COLLATE "C" NOT NULL,
            search_text text NOT NULL,
            search_vector tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text)) STORED,
            duration_ms bigint NOT NULL, codec text NOT NULL, bitrate_kbps integer NOT NULL,
            size_bytes bigint NOT NULL, charged_bytes bigint NOT NULL, content_hash text NOT NULL, audio_hash text NOT NULL,
            is_purchased boolean NOT NULL, added_at bigint NOT NULL, storage_key text NOT NULL);
        CREATE INDEX ix_tracks_title ON tracks (user_id, title_key, id);
        CREATE INDEX ix_tracks_artist ON tracks (user_id, artist_key, album_key, disc_no, track_no, title_key, id);
        CREATE INDEX ix_tracks_album ON tracks (user_id, album_artist_key, album_key, disc_no, track_no, title_key, id);
        CREATE INDEX ix_tracks_added ON tracks (user_id, added_at, id);
        CREATE INDEX ix_tracks_genre ON tracks (user_id, genre_key);
        CREATE INDEX ix_tracks_hash ON tracks (user_id, content_hash);
        CREATE INDEX ix_tracks_storage_key ON tracks (user_id, storage_key);
        CREATE INDEX ix_tracks_search ON tracks USING gin (search_vector);
        CREATE INDEX ix_tracks_seq ON tracks (user_id, seq);
        CREATE TABLE playlists (
            id uuid NOT NULL PRIMARY KEY,
            user_id text NOT NULL REFERENCES locker_users (user_id) ON DELETE CASCADE,
            name text NOT NULL, created_at bigint NOT NULL, updated_at bigint NOT NULL);
        CREATE INDEX ix_playlists_user ON playlists (user_id, name);
        CREATE TABLE playlist_entries (
            id uuid NOT NULL PRIMARY KEY,
            playlist_id uuid NOT NULL REFERENCES playlists (id) ON DELETE CASCADE,
            track_id uuid NOT NULL REFERENCES tracks (id) ON DELETE CASCADE,
            position integer NOT NULL, added_at bigint NOT NULL);
        CREATE INDEX ix_entries_playlist ON playlist_entries (playlist_id, position);
        CREATE INDEX ix_entries_track ON playlist_entries (track_id);
        CREATE TABLE plays (
            seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            user_id text NOT NULL REFERENCES locker_users (user_id) ON DELETE CASCADE,
            track_id uuid NOT NULL REFERENCES tracks (id) ON DELETE CASCADE,
            played_at bigint NOT NULL);
        CREATE INDEX ix_plays_user ON plays (user_id, played_at, seq);
        CREATE INDEX ix_plays_track ON plays (track_id);
        CREATE TABLE quota_reservations (
            id uuid NOT NULL PRIMARY KEY,
            user_id text NOT NULL REFERENCES locker_users (user_id) ON DELETE CASCADE,
            bytes bigint NOT NULL, created_at bigint NOT NULL, expires_at bigint NOT NULL);
        CREATE INDEX ix_reservations_user ON quota_reservations (user_id, expires_at);
        CREATE TABLE upload_sessions (
            id uuid NOT NULL PRIMARY KEY,
            user_id text NOT NULL REFERENCES locker_users (user_id) ON DELETE CASCADE,
            storage_key text NOT NULL, file_name text NOT NULL, declared_bytes bigint NOT NULL, received_bytes bigint NOT NULL,
            reservation_id uuid NULL, multipart_upload_id text NULL, state integer NOT NULL, version integer NOT NULL,
            created_at bigint NOT NULL, updated_at bigint NOT NULL);
        CREATE INDEX ix_uploads_user ON upload_sessions (user_id, state, created_at);
        CREATE INDEX ix_uploads_stale ON upload_sessions (state, updated_at);
        CREATE TABLE user_keys (
            user_id text NOT NULL REFERENCES locker_users (user_id) ON DELETE CASCADE,
            key_id text NOT NULL, wrapped_key bytea NOT NULL, master_key_id text NOT NULL, created_at bigint NOT NULL,
            PRIMARY KEY (user_id, key_id));
        CREATE INDEX ix_user_keys_master ON user_keys (master_key_id, user_id, key_id);
        """;

    // Account activity for retention (last use, inactivity warning, deletion claim). An upgraded database starts every
    // existing account's inactivity at the upgrade, on the wall clock: nobody is deleted for time the locker did not see.
    private const string AccountActivity = """
        ALTER TABLE locker_users ADD COLUMN last_active_at bigint NOT NULL DEFAULT 0,
            ADD COLUMN retention_warned_at bigint NULL, ADD COLUMN retention_claimed_at bigint NULL;
        UPDATE locker_users SET last_active_at = GREATEST(created_at, (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint);
        CREATE INDEX ix_users_last_active ON locker_users (last_active_at);
        """;

    // Stars and ratings (key1/key2: the folded names the catalog groups by, "C" collation like the sort keys they are
    // compared with; track_id cascades a track's row away), API key hashes (unique: a key names its user) and sealed app
    // passwords, for players speaking the Subsonic API.
    private const string AnnotationsAndCredentials = """
        CREATE TABLE annotations (
            user_id text NOT NULL REFERENCES locker_users (user_id) ON DELETE CASCADE,
            kind integer NOT NULL, key1 text COLLATE "C" NOT NULL, key2 text COLLATE "C" NOT NULL,
            track_id uuid NULL REFERENCES tracks (id) ON DELETE CASCADE,
            name1 text NULL, name2 text NULL, starred_at bigint NULL, rating integer NOT NULL DEFAULT 0,
            PRIMARY KEY (user_id, kind, key1, key2));
        CREATE INDEX ix_annotations_starred ON annotations (user_id, kind, starred_at);
        CREATE INDEX ix_annotations_track ON annotations (track_id);
        CREATE TABLE api_keys (
            id uuid NOT NULL PRIMARY KEY,
            user_id text NOT NULL REFERENCES locker_users (user_id) ON DELETE CASCADE,
            key_hash bytea NOT NULL UNIQUE, label text NOT NULL, created_at bigint NOT NULL);
        CREATE INDEX ix_api_keys_user ON api_keys (user_id, created_at);
        CREATE TABLE app_passwords (
            user_id text NOT NULL PRIMARY KEY REFERENCES locker_users (user_id) ON DELETE CASCADE,
            sealed bytea NOT NULL, updated_at bigint NOT NULL);
        """;

    // Retention notices: when an instance claimed sending the inactivity warning (a lease, so a crashed sender is taken
    // over); retention_warned_at is set only once the app's notifier has taken the warning.
    private const string RetentionNotice = """
        ALTER TABLE locker_users ADD COLUMN retention_notice_at bigint NULL;
        """;

    // The album index: what an album list shows, one row per album (and per album and genre, for lists of one genre),
    // kept exact by the catalog's writes. Keys compare as bytes ("C") like the tracks' keys they are grouped from. One
    // index per order an album list pages on: the primary key serves by artist, the others by title, newest (latest
    // upload first; ties by artist, title) and year (either direction).
    private const string AlbumIndexTables = """
        CREATE TABLE album_index (
            user_id text NOT NULL REFERENCES locker_users (user_id) ON DELETE CASCADE,
            album_artist_key text COLLATE "C" NOT NULL, album_key text COLLATE "C" NOT NULL,
            artist text NULL, album text NULL, track_count integer NOT NULL, duration_ms bigint NOT NULL, year integer NULL,
            genre text NULL, first_track_id uuid NOT NULL, added_at bigint NOT NULL,
            PRIMARY KEY (user_id, album_artist_key, album_key));
        CREATE INDEX ix_album_index_name ON album_index (user_id, album_key, album_artist_key);
        CREATE INDEX ix_album_index_newest ON album_index (user_id, added_at DESC, album_artist_key, album_key);
        CREATE INDEX ix_album_index_year ON album_index (user_id, year, album_artist_key, album_key);
        CREATE INDEX ix_album_index_year_desc ON album_index (user_id, year DESC, album_artist_key, album_key);
        CREATE TABLE album_genre_index (
            user_id text NOT NULL REFERENCES locker_users (user_id) ON DELETE CASCADE,
            album_artist_key text COLLATE "C" NOT NULL, album_key text COLLATE "C" NOT NULL, genre_key text COLLATE "C" NOT NULL,
            artist text NULL, album text NULL, track_count integer NOT NULL, duration_ms bigint NOT NULL, year integer NULL,
            genre text NULL, first_track_id uuid NOT NULL, added_at bigint NOT NULL,
            PRIMARY KEY (user_id, album_artist_key, album_key, genre_key));
        CREATE INDEX ix_album_genre_index_name ON album_genre_index (user_id, genre_key, album_key, album_artist_key);
        CREATE INDEX ix_album_genre_index_artist ON album_genre_index (user_id, genre_key, album_artist_key, album_key);
        """;

    // Cover-art edits: one row per edited track (the track's row cascades it away); storage_key NULL is a removed cover.
    // storage_key in "C" collation: reconcile and the sweep list a user's picture keys in byte order.
    private const string CoverEdits = """
        CREATE TABLE track_covers (
            track_id uuid NOT NULL PRIMARY KEY REFERENCES tracks (id) ON DELETE CASCADE,
            user_id text NOT NULL REFERENCES locker_users (user_id) ON DELETE CASCADE,
            storage_key text COLLATE "C" NULL, mime_type text NULL, length_bytes bigint NOT NULL, sha256 text NULL,
            updated_at bigint NOT NULL);
        CREATE INDEX ix_track_covers_key ON track_covers (user_id, storage_key);
        """;
}
