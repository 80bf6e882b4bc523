using System.Buffers;
using MusicLocker.Media.Diagnostics;
using MusicLocker.Media.Internal;
using MusicLocker.Media.Parsing;

namespace MusicLocker.Media;

/// <summary>
/// A single-pass, push-style probe of a file arriving as a stream (an upload): <see cref="Append(ReadOnlySpan{byte})"/>
/// the bytes in order, in any chunk sizes, then <see cref="Complete"/>. Walks every frame, so the duration is exact and
/// the <see cref="SeekIndex"/> is built. Holds only what it needs: a partial header between chunks, a tag frame, an MP4
/// table box, and the last <see cref="MediaProbeOptions.TailSize"/> bytes; picture and audio bytes are never kept.
/// Not thread-safe: one writer at a time.
/// </summary>
public sealed class MediaStreamParser
{
    private readonly MediaParserCore _core;
    private readonly TailBuffer _tail;
    private byte[] _carry = [];
    private int _carryLength;
    private long _position;
    private long _skip;
    private int _need;
    private long _total;
    private bool _completed;

    private readonly ProbeObserver? _observer; // null: a prober method records the probe itself
    private readonly DateTimeOffset _started;

    /// <summary>Creates a parser (<see cref="MediaProber.CreateStreamParser"/>): <paramref name="options"/> are validated already.</summary>
    internal MediaStreamParser(MediaProbeOptions options, ProbeObserver? observer, DateTimeOffset started)
    {
        _core = new MediaParserCore(options, probeMode: false, fileLength: null);
        _tail = new TailBuffer(options.TailSize);
        _observer = observer;
        _started = started;
    }

    /// <summary>The number of bytes appended so far.</summary>
    public long BytesAppended => _total;

    /// <summary>Appends the next bytes of the file.</summary>
    /// <exception cref="MediaFormatException">The bytes so far show the file is not accepted (format, DRM, structure, limits).</exception>
    public void Append(ReadOnlySpan<byte> chunk)
    {
        if (_completed)
        {
            throw new InvalidOperationException("The parser is complete (or refused the file): create a new one for another file.");
        }

        try
        {
            AppendCore(chunk);
        }
        catch (MediaFormatException e)
        {
            _completed = true; // a refused file is done: its span and count are recorded once
            _observer?.Failed(ProbeObserver.Start(_started), e);
            throw;
        }
    }

    private void AppendCore(ReadOnlySpan<byte> chunk)
    {

        _tail.Append(chunk);
        _total += chunk.Length;
        while (!chunk.IsEmpty)
        {
            if (_skip > 0)
            {
                int s = (int)Math.Min(_skip, chunk.Length);
                _skip -= s;
                _position += s;
                chunk = chunk[s..];
                continue;
            }

            if (_carryLength == 0)
            {
                if (chunk.Length < _need)
                {
                    Stash(chunk);
                    return;
                }

                long c = _core.Parse(chunk, _position, final: false, out _need);
                if (c >= chunk.Length)
                {
                    _skip = c - chunk.Length;
                    _position += chunk.Length;
                    return;
                }

                _position += c;
                chunk = chunk[(int)c..];
                if (c == 0 || chunk.Length < _need)
                {
                    // No progress on these bytes: wait for more (a parser always progresses once it has what it asked).
                    _need = Math.Max(_need, chunk.Length + 1);
                    Stash(chunk);
                    return;
                }

                continue;
            }

            int take = Math.Min(chunk.Length, Math.Max(_need - _carryLength, 1));
            Stash(chunk[..take]);
            chunk = chunk[take..];
            if (_carryLength < _need)
            {
                continue;
            }

            ParseCarry(final: false);
        }
    }

    /// <summary>Appends the next bytes of the file.</summary>
    public void Append(ReadOnlySequence<byte> chunk)
    {
        foreach (var segment in chunk)
        {
            Append(segment.Span);
        }
    }

    /// <summary>Ends the file and returns what it is.</summary>
    /// <exception cref="MediaFormatException">The file is not accepted.</exception>
    public MediaInfo Complete()
    {
        if (_completed)
        {
            throw new InvalidOperationException("The parser is complete (or refused the file): Complete was called already or an Append was refused.");
        }

        _completed = true;
        if (_observer is null)
        {
            return Finish();
        }

        var activity = ProbeObserver.Start(_started);
        try
        {
            return _observer.Succeeded(activity, Finish());
        }
        catch (MediaFormatException e)
        {
            _observer.Failed(activity, e);
            throw;
        }
    }

    private MediaInfo Finish()
    {
        if (_skip == 0)
        {
            for (int guard = 0; guard < 1_000_000 && (_carryLength > 0 || guard == 0); guard++)
            {
                int before = _carryLength;
                ParseCarry(final: true);
                if (_skip > 0 || _carryLength == 0 || _carryLength == before)
                {
                    break;
                }
            }
        }

        var tail = _tail.ToArray();
        _carry = [];
        return _core.Finish(tail, _total);
    }

    private void ParseCarry(bool final)
    {
        long c = _core.Parse(_carry.AsSpan(0, _carryLength), _position, final, out _need);
        if (c >= _carryLength)
        {
            _skip = c - _carryLength;
            _position += _carryLength;
            _carryLength = 0;
            return;
        }

        _carry.AsSpan((int)c, _carryLength - (int)c).CopyTo(_carry);
        _carryLength -= (int)c;
        _position += c;
        if (c == 0 && _carryLength >= _need)
        {
            _need = _carryLength + 1;
        }
    }

    private void Stash(ReadOnlySpan<byte> data)
    {
        if (_carryLength + data.Length > _carry.Length)
        {
            // Grows with the bytes that actually arrived, never to a size a length field asked for.
            Array.Resize(ref _carry, Math.Max(_carryLength + data.Length, Math.Max(256, _carry.Length * 2)));
        }

        data.CopyTo(_carry.AsSpan(_carryLength));
        _carryLength += data.Length;
    }
}
