// Drives the npm package subsonic-api (an independent Subsonic/OpenSubsonic client) against the server under test.
// Usage: node subsonic-client.mjs <config.json>; config: { module, url, auth: {apiKey} | {username, password}, post, out }.
// Writes the bytes it downloads into `out` and prints one JSON line with what it saw; the xunit test judges both.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const { SubsonicAPI } = await import(pathToFileURL(config.module).href);

let range = null;
const fetchWithRange = (input, init = {}) => {
  const headers = new Headers(init.headers ?? {});
  if (range) headers.set("Range", range);
  return fetch(input, { ...init, headers });
};
const api = new SubsonicAPI({ url: config.url, auth: config.auth, post: config.post, fetch: fetchWithRange });
const seen = {};
const ok = (r, what) => {
  if (r.status !== "ok") throw new Error(`${what}: ${JSON.stringify(r.error)}`);
  return r;
};

ok(await api.ping(), "ping");
seen.openSubsonic = (await api.ping()).openSubsonic;

const artists = ok(await api.getArtists(), "getArtists");
const artist = artists.artists.index.flatMap((i) => i.artist).find((a) => a.name === "Test Artist");
const withAlbums = ok(await api.getArtist({ id: artist.id }), "getArtist");
const album = withAlbums.artist.album[0];
const withSongs = ok(await api.getAlbum({ id: album.id }), "getAlbum");
const song = withSongs.album.song[0];
seen.album = album.name;
seen.song = { id: song.id, title: song.title, size: song.size, duration: song.duration, suffix: song.suffix };

const search = ok(await api.search3({ query: "hello", songCount: 10 }), "search3");
seen.search = (search.searchResult3.song ?? []).map((s) => s.id);
const everything = ok(await api.search3({ query: "", songCount: 2, songOffset: 0 }), "search3 empty");
const rest = ok(await api.search3({ query: "", songCount: 2, songOffset: 2 }), "search3 empty page 2");
seen.allSongs = [...(everything.searchResult3.song ?? []), ...(rest.searchResult3.song ?? [])].map((s) => s.id);

const created = ok(await api.createPlaylist({ name: "From node", songId: [song.id] }), "createPlaylist");
const playlistId = created.playlist.id;
ok(await api.updatePlaylist({ playlistId, name: "Renamed by node", songIdToAdd: [song.id] }), "updatePlaylist");
const playlist = ok(await api.getPlaylist({ id: playlistId }), "getPlaylist").playlist;
seen.playlist = { name: playlist.name, entries: playlist.entry.map((e) => e.id) };
ok(await api.deletePlaylist({ id: playlistId }), "deletePlaylist");
seen.playlistsAfterDelete = (ok(await api.getPlaylists(), "getPlaylists").playlists.playlist ?? []).length;

ok(await api.star({ id: song.id }), "star");
seen.starred = (ok(await api.getStarred2(), "getStarred2").starred2.song ?? []).map((s) => s.id);
ok(await api.unstar({ id: song.id }), "unstar");
ok(await api.scrobble({ id: song.id, submission: true }), "scrobble");

const save = async (name, response) => {
  const bytes = Buffer.from(await response.arrayBuffer());
  writeFileSync(join(config.out, name), bytes);
  return response.status;
};
seen.full = await save("full.bin", await api.download({ id: song.id }));
range = "bytes=100-1099";
seen.range = await save("range.bin", await api.stream({ id: song.id }));
range = null;
seen.seek = await save("seek.bin", await api.stream({ id: song.id, timeOffset: 1 }));
seen.cover = await save("cover.bin", await api.getCoverArt({ id: song.coverArt }));

console.log(JSON.stringify(seen));
