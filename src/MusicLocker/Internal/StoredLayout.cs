using System.Security.Cryptography;
using MusicLocker.Media;

namespace MusicLocker.Internal;

/// <summary>
/// The bytes an upload stores: the source as given, or (fast start) its rewrite with <c>moov</c> in front, read through
/// <see cref="FastStartPlan.OpenRead"/> — the source is still read once, front to back, by the single pass; the plan
/// reads only the top-level box headers and the <c>moov</c> before it. The probe is made again on the rewritten view
/// (the moov is in memory; a head and tail read), so the audio range, cover art and seek index the pass and the
/// sidecar use are the stored file's.
/// </summary>
internal sealed record StoredLayout(Stream Source, MediaInfo Probe, FastStartDecision Decision)
{
    /// <summary>The SHA-256 of the source as given, when the stored bytes are a rewrite and were read in order to the end; else null.</summary>
    public Func<string?> SourceHash { get; private init; } = static () => null;

    public static async Task<StoredLayout> ChooseAsync(LockerCore core, Stream source, MediaInfo probe, bool fastStart, bool hashSource, CancellationToken cancellationToken)
    {
        if (!fastStart)
        {
            return new StoredLayout(source, probe, FastStartDecision.Unknown);
        }

        if (probe.Container != MediaContainer.Mp4)
        {
            return new StoredLayout(source, probe, FastStartDecision.NotMp4);
        }

        var original = new StreamRandomAccessSource(source, 0);
        var plan = await new Mp4FastStart(core.Prober.Options).PlanAsync(original, cancellationToken).ConfigureAwait(false);
        if (!plan.IsApplicable)
        {
            return new StoredLayout(source, probe, plan.Decision);
        }

        var view = plan.OpenRead();
        var rewritten = await core.Prober.ProbeAsync(new StreamRandomAccessSource(view, 0), cancellationToken).ConfigureAwait(false);
        if (!hashSource)
        {
            return new StoredLayout(view, rewritten, FastStartDecision.Rewrite);
        }

        var hashing = new SourceOrderHashingStream(view, plan, original);
        return new StoredLayout(hashing, rewritten, FastStartDecision.Rewrite) { SourceHash = hashing.SourceHash };
    }

    /// <summary>
    /// Passes the rewritten file through and, while it is read in order from its start, hashes the source's bytes in the
    /// source's order: what precedes the new <c>moov</c>, what follows it up to where the old <c>moov</c> was, the old
    /// <c>moov</c> (read again from the source: small), then the rest. So an app's <see cref="UploadOptions.ContentHash"/>
    /// (of the file as given) is checked in the same single pass that stores the rewrite.
    /// </summary>
    private sealed class SourceOrderHashingStream(Stream view, FastStartPlan plan, IRandomAccessSource source) : Stream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly long _tailStart = plan.MediaDataOffset + plan.NewMoovLength + (plan.MoovOffset - plan.MediaDataOffset);
        private long _next = -1;
        private string? _result;

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => view.Length;

        public override long Position { get => view.Position; set => view.Position = value; }

        public string? SourceHash() => _result;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            long at = view.Position;
            int n = await view.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (at == 0)
            {
                // A read from the start (the pass) begins the hash again; the probe's jumps before it break it off.
                _hash.GetHashAndReset();
                _next = 0;
                _result = null;
            }

            if (at != _next)
            {
                _next = -1;
                return n;
            }

            await AppendAsync(buffer[..n], at, cancellationToken).ConfigureAwait(false);
            _next = at + n;
            if (_next == Length)
            {
                if (_tailStart == Length)
                {
                    await AppendOldMoovAsync(cancellationToken).ConfigureAwait(false);
                }

                _result = Convert.ToHexStringLower(_hash.GetHashAndReset());
                _next = -1;
            }

            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override long Seek(long offset, SeekOrigin origin) => view.Seek(offset, origin);

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _hash.Dispose();
                view.Dispose();
            }

            base.Dispose(disposing);
        }

        /// <summary>Hashes the parts of [at, at + bytes) that are source bytes, the old moov where the tail begins.</summary>
        private async Task AppendAsync(ReadOnlyMemory<byte> bytes, long at, CancellationToken cancellationToken)
        {
            long moovStart = plan.MediaDataOffset;
            long moovEnd = moovStart + plan.NewMoovLength;
            long end = at + bytes.Length;
            for (long p = at; p < end;)
            {
                if (p == _tailStart)
                {
                    await AppendOldMoovAsync(cancellationToken).ConfigureAwait(false);
                }

                long stop = p < moovStart ? Math.Min(end, moovStart) : p < moovEnd ? Math.Min(end, moovEnd) : p < _tailStart ? Math.Min(end, _tailStart) : end;
                if (p < moovStart || p >= moovEnd)
                {
                    _hash.AppendData(bytes.Span.Slice((int)(p - at), (int)(stop - p)));
                }

                p = stop;
            }
        }

        private async Task AppendOldMoovAsync(CancellationToken cancellationToken)
        {
            byte[] moov = new byte[plan.MoovLength];
            int n = await source.ReadAtAsync(plan.MoovOffset, moov, cancellationToken).ConfigureAwait(false);
            _hash.AppendData(moov, 0, n);
        }
    }
}
