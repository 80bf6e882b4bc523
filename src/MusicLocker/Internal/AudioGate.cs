namespace MusicLocker.Internal;

/// <summary>
/// Serialises, within one process, uploads of the same audio by the same user from the dedup check to the catalogue, so
/// two concurrent uploads of one file end as one track and one duplicate. 64 striped semaphores: two unrelated uploads
/// share a stripe rarely and then only wait. Across processes the catalog would need a unique (user, audio hash) rule;
/// until it has one, two instances uploading the same file at once can both store it (the second copy is charged zero).
/// </summary>
internal sealed class AudioGate : IDisposable
{
    private readonly SemaphoreSlim[] _stripes = CreateStripes(64);

    public async Task<IDisposable> EnterAsync(string userId, string audioHash, CancellationToken cancellationToken)
    {
        var stripe = _stripes[(int)((uint)HashCode.Combine(StringComparer.Ordinal.GetHashCode(userId), StringComparer.Ordinal.GetHashCode(audioHash)) % (uint)_stripes.Length)];
        await stripe.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Release(stripe);
    }

    public void Dispose()
    {
        foreach (var stripe in _stripes)
        {
            stripe.Dispose();
        }
    }

    private static SemaphoreSlim[] CreateStripes(int count)
    {
        var stripes = new SemaphoreSlim[count];
        for (int i = 0; i < count; i++)
        {
            stripes[i] = new SemaphoreSlim(1, 1);
        }

        return stripes;
    }

    private sealed class Release(SemaphoreSlim stripe) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                stripe.Release();
            }
        }
    }
}
