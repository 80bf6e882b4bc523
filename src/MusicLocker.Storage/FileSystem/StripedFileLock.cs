namespace MusicLocker.Storage.FileSystem;

/// <summary>
/// Serialises the check-and-publish step of writes to one key, across threads and across processes: a key hashes (stably)
/// to one of a fixed set of lock files, held with an exclusive OS lock (<see cref="FileShare.None"/> is <c>flock</c> on
/// Unix). The OS drops the lock when a process dies, so a crash never leaves a key locked. Only the short
/// check-and-rename is under the lock; the bytes are written to a temp file before it is taken.
/// </summary>
internal sealed class StripedFileLock : IDisposable
{
    private const int Stripes = 64;
    private readonly string _folder;
    private readonly TimeSpan _timeout;
    private readonly SemaphoreSlim[] _local = new SemaphoreSlim[Stripes];

    public StripedFileLock(string folder, TimeSpan timeout)
    {
        _folder = folder;
        _timeout = timeout;
        Directory.CreateDirectory(folder);
        for (int i = 0; i < Stripes; i++)
        {
            _local[i] = new SemaphoreSlim(1, 1);
        }
    }

    public async ValueTask<Releaser> AcquireAsync(string key, CancellationToken cancellationToken)
    {
        int stripe = (int)(Fnv1a(key) % Stripes);
        var local = _local[stripe];
        if (!await local.WaitAsync(_timeout, cancellationToken).ConfigureAwait(false))
        {
            throw Timeout(key);
        }

        try
        {
            string path = Path.Combine(_folder, stripe.ToString("D2", System.Globalization.CultureInfo.InvariantCulture) + ".lock");
            long started = Environment.TickCount64;
            int delay = 1;
            while (true)
            {
                try
                {
                    var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1);
                    return new Releaser(local, file);
                }
                catch (IOException ex) when (ex is not FileNotFoundException and not DirectoryNotFoundException)
                {
                    // Another process holds the stripe.
                    if (Environment.TickCount64 - started > _timeout.TotalMilliseconds)
                    {
                        throw Timeout(key);
                    }

                    await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                    delay = Math.Min(delay * 2, 20);
                }
            }
        }
        catch
        {
            local.Release();
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var s in _local)
        {
            s.Dispose();
        }
    }

    private BlobStoreException Timeout(string key) =>
        new(BlobErrorCode.Unavailable, $"Timed out after {_timeout} waiting for another writer of '{key}' (lock files in '{_folder}').", key);

    private static uint Fnv1a(string s)
    {
        uint hash = 2166136261;
        foreach (char c in s)
        {
            hash = (hash ^ c) * 16777619;
        }

        return hash;
    }

    public readonly struct Releaser(SemaphoreSlim local, FileStream file) : IDisposable
    {
        public void Dispose()
        {
            file.Dispose();
            local.Release();
        }
    }
}
