// The Music Locker web player: plain JavaScript over the locker's HTTP API (/api/locker, mapped by MapMusicLocker) and
// the sample's own /api endpoints. Audio plays from signed, range-aware stream URLs, so seeking is one Range request.
"use strict";

const $ = (id) => document.getElementById(id);
const audio = $("audio");
const state = { view: "tracks", query: {}, cursor: null, queue: [], index: -1 };

async function api(path, options) {
  const response = await fetch(path, options);
  const text = await response.text();
  const body = text ? JSON.parse(text) : null;
  if (!response.ok) {
    throw new Error(body && body.message ? body.message : `${response.status} ${response.statusText}`);
  }
  return body;
}

function seconds(duration) {
  // System.Text.Json writes a TimeSpan as [d.]hh:mm:ss[.fffffff].
  const m = /^(?:(\d+)\.)?(\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(duration || "");
  return m ? (+(m[1] || 0)) * 86400 + (+m[2]) * 3600 + (+m[3]) * 60 + (+m[4]) : 0;
}

function clock(s) {
  s = Math.max(0, Math.floor(s || 0));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}

function size(bytes) {
  return bytes >= 1e9 ? (bytes / 1e9).toFixed(2) + " GB" : bytes >= 1e6 ? (bytes / 1e6).toFixed(1) + " MB" : (bytes / 1e3).toFixed(0) + " kB";
}

function message(text) { $("message").textContent = text || ""; }

async function loadQuota() {
  const me = await api("/api/me");
  const used = me.limitBytes ? Math.min(100, (100 * me.usedBytes) / me.limitBytes) : 0;
  $("quota-used").style.width = used + "%";
  $("quota-text").textContent = `${size(me.usedBytes)} of ${size(me.limitBytes)} (${me.plan})`;
}

function trackItem(track, list, index) {
  const li = document.createElement("li");
  li.className = "track-row";
  li.dataset.id = track.id;
  const title = document.createElement("span");
  title.className = "title";
  title.textContent = track.tags.title;
  const sub = document.createElement("span");
  sub.className = "sub";
  sub.textContent = [track.tags.artist, track.tags.album].filter(Boolean).join(" — ");
  const dur = document.createElement("span");
  dur.className = "dur";
  dur.textContent = clock(seconds(track.duration));
  li.append(title, sub, dur);
  li.addEventListener("click", () => play(list, index));
  return li;
}

function groupItem(text, sub, onClick) {
  const li = document.createElement("li");
  li.className = "group-row";
  const t = document.createElement("span");
  t.textContent = text;
  const s = document.createElement("span");
  s.className = "sub";
  s.textContent = sub;
  li.append(t, s);
  li.addEventListener("click", onClick);
  return li;
}

function setView(view, title, query) {
  state.view = view;
  state.query = query || {};
  state.cursor = null;
  document.querySelectorAll("nav .nav").forEach((b) => b.classList.toggle("active", b.dataset.view === view));
  $("view-title").textContent = title;
  $("view-actions").replaceChildren();
  $("list").replaceChildren();
  message("");
  return render(false);
}

async function render(append) {
  const list = $("list");
  $("more").hidden = true;
  try {
    if (state.view === "tracks" || state.view === "latest") {
      const params = new URLSearchParams({ pageSize: "100", sort: state.view === "latest" ? "RecentlyAdded" : "Artist", ...state.query });
      if (append && state.cursor) params.set("cursor", state.cursor);
      const page = await api("/api/locker/tracks?" + params);
      const tracks = append ? state.tracks.concat(page.items) : page.items;
      state.tracks = tracks;
      page.items.forEach((t, i) => list.append(trackItem(t, tracks, tracks.length - page.items.length + i)));
      state.cursor = page.nextCursor;
      $("more").hidden = !page.nextCursor;
      if (!tracks.length) message("No tracks yet: drop MP3 or AAC files on the upload area.");
    } else if (state.view === "search") {
      const page = await api("/api/search?" + new URLSearchParams({ q: state.query.q }));
      state.tracks = page.items;
      page.items.forEach((t, i) => list.append(trackItem(t, page.items, i)));
      if (!page.items.length) message("No track matches.");
    } else if (state.view === "artists") {
      const page = await api("/api/locker/artists?pageSize=500");
      page.items.forEach((a) => list.append(groupItem(a.name || "(unknown artist)", `${a.albumCount} album(s), ${a.trackCount} track(s)`,
        () => setView("tracks", a.name || "(unknown artist)", a.name ? { artist: a.name } : {}))));
    } else if (state.view === "albums") {
      const page = await api("/api/locker/albums?pageSize=500");
      page.items.forEach((a) => list.append(groupItem(`${a.title || "(no album)"}${a.year ? ` (${a.year})` : ""}`, `${a.albumArtist || "?"} · ${a.trackCount} track(s)`,
        () => setView("tracks", a.title || "(no album)", Object.fromEntries(Object.entries({ album: a.title, albumArtist: a.albumArtist }).filter(([, v]) => v))))));
    } else if (state.view === "playlists") {
      const add = document.createElement("button");
      add.textContent = "New playlist";
      add.addEventListener("click", async () => {
        const name = prompt("Playlist name");
        if (name) { await api("/api/playlists?" + new URLSearchParams({ name }), { method: "POST" }); await setView("playlists", "Playlists"); await loadPlaylists(); }
      });
      $("view-actions").append(add);
      const page = await api("/api/locker/playlists?pageSize=500");
      page.items.forEach((p) => list.append(groupItem(p.name, `${p.entryCount} track(s)`, () => showPlaylist(p.id))));
    }
  } catch (e) {
    message(e.message);
  }
}

async function showPlaylist(id) {
  const data = await api("/api/locker/playlists/" + id);
  state.view = "playlist";
  $("view-title").textContent = data.playlist.name;
  $("view-actions").replaceChildren();
  const tracks = data.entries.map((e) => e.track);
  $("list").replaceChildren(...tracks.map((t, i) => trackItem(t, tracks, i)));
}

async function loadPlaylists() {
  const select = $("add-to-playlist");
  const page = await api("/api/locker/playlists?pageSize=500");
  select.replaceChildren(new Option("+ playlist", ""), ...page.items.map((p) => new Option(p.name, p.id)));
}

async function play(list, index) {
  if (index < 0 || index >= list.length) return;
  state.queue = list;
  state.index = index;
  const track = list[index];
  try {
    const signed = await api(`/api/locker/tracks/${track.id}/signed-url`, { method: "POST" });
    audio.src = signed.url;
    $("seek").max = String(seconds(track.duration));
    $("duration").textContent = clock(seconds(track.duration));
    $("now-playing").textContent = `${track.tags.title}${track.tags.artist ? " — " + track.tags.artist : ""}`;
    document.querySelectorAll("#list li.track-row").forEach((li) => li.classList.toggle("playing", li.dataset.id === track.id));
    await audio.play();
  } catch (e) {
    message("Cannot play: " + e.message);
  }
}

function upload(files) {
  const log = $("upload-log");
  let pending = files.length;
  for (const file of files) {
    const li = document.createElement("li");
    const label = document.createElement("div");
    label.textContent = file.name;
    const bar = document.createElement("progress");
    bar.max = file.size || 1;
    bar.value = 0;
    li.append(label, bar);
    log.prepend(li);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/locker/tracks?" + new URLSearchParams({ fileName: file.name }));
    xhr.upload.onprogress = (e) => { bar.value = e.loaded; };
    xhr.onload = () => {
      bar.remove();
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch { /* not JSON */ }
      if (xhr.status === 201 || xhr.status === 200) {
        li.className = "stored";
        label.textContent = `${file.name}: ${body.outcome === "Stored" ? "stored" : "already in your locker"} (“${body.track.tags.title}”)`;
      } else {
        li.className = "refused";
        label.textContent = `${file.name}: refused — ${body && body.message ? body.message : xhr.status + " " + xhr.statusText}`;
      }
      if (--pending === 0) { loadQuota(); if (state.view === "tracks" || state.view === "latest") setView(state.view, $("view-title").textContent, state.query); }
    };
    xhr.onerror = () => { bar.remove(); li.className = "failed"; label.textContent = `${file.name}: upload failed (network)`; pending--; };
    xhr.send(file);
  }
}

document.querySelectorAll("nav .nav").forEach((b) => b.addEventListener("click", () => setView(b.dataset.view, b.textContent)));
$("search-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const q = $("search").value.trim();
  if (q) setView("search", `Search: ${q}`, { q });
});
$("more").addEventListener("click", () => render(true));
$("upload-input").addEventListener("change", (e) => { upload([...e.target.files]); e.target.value = ""; });
const zone = $("drop-zone");
zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
zone.addEventListener("dragleave", () => zone.classList.remove("over"));
zone.addEventListener("drop", (e) => { e.preventDefault(); zone.classList.remove("over"); upload([...e.dataTransfer.files]); });

$("play").addEventListener("click", () => { if (audio.src) { audio.paused ? audio.play() : audio.pause(); } else if (state.tracks && state.tracks.length) { play(state.tracks, 0); } });
$("next").addEventListener("click", () => play(state.queue, state.index + 1));
$("prev").addEventListener("click", () => play(state.queue, state.index - 1));
const PLAY_ICON = '<svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true"><path fill="currentColor" d="M8 5v14l11-7z"/></svg>';
const PAUSE_ICON = '<svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true"><path fill="currentColor" d="M6 5h4v14H6zm8 0h4v14h-4z"/></svg>';
audio.addEventListener("play", () => { $("play").innerHTML = PAUSE_ICON; $("play").setAttribute("aria-label", "Pause"); });
audio.addEventListener("pause", () => { $("play").innerHTML = PLAY_ICON; $("play").setAttribute("aria-label", "Play"); });
audio.addEventListener("ended", () => play(state.queue, state.index + 1));
audio.addEventListener("timeupdate", () => {
  $("time").textContent = clock(audio.currentTime);
  if (!seeking) $("seek").value = String(audio.currentTime);
});
let seeking = false;
$("seek").addEventListener("input", () => { seeking = true; $("time").textContent = clock(+$("seek").value); });
$("seek").addEventListener("change", () => { audio.currentTime = +$("seek").value; seeking = false; });
$("add-to-playlist").addEventListener("change", async (e) => {
  const id = e.target.value;
  e.target.value = "";
  const track = state.queue[state.index];
  if (!id || !track) return;
  try { await api(`/api/playlists/${id}/tracks?` + new URLSearchParams({ track: track.id }), { method: "POST" }); message(""); await loadPlaylists(); }
  catch (err) { message(err.message); }
});

loadQuota().catch((e) => message(e.message));
loadPlaylists().catch(() => {});
setView("tracks", "Tracks");
