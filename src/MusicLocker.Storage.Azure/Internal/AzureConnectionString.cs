namespace MusicLocker.Storage.Azure.Internal;

/// <summary>
/// A storage connection string (<c>Key=Value;…</c>) reduced to what the blob store needs: the blob endpoint and one credential.
/// </summary>
internal sealed record AzureConnectionString(Uri BlobEndpoint, string? AccountName, string? AccountKey, string? SharedAccessSignature)
{
    /// <summary>Azurite's (and the old storage emulator's) public development account.</summary>
    public const string DevelopmentAccountName = "devstoreaccount1";

    /// <summary>The development account's well-known key, published by Microsoft.</summary>
    public const string DevelopmentAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public static AzureConnectionString Parse(string connectionString)
    {
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new FormatException($"The connection string setting '{part}' is not Name=Value.");
            }

            // Values may contain '=' (base64 keys, SAS signatures): only the first one separates.
            settings[part[..eq].Trim()] = part[(eq + 1)..].Trim();
        }

        if (settings.TryGetValue("UseDevelopmentStorage", out var dev) && bool.TryParse(dev, out bool useDev) && useDev)
        {
            var proxy = settings.TryGetValue("DevelopmentStorageProxyUri", out var p) ? new Uri(p) : new Uri("http://127.0.0.1");
            var endpoint = new Uri($"{proxy.Scheme}://{proxy.Host}:10000/{DevelopmentAccountName}");
            return new AzureConnectionString(endpoint, DevelopmentAccountName, DevelopmentAccountKey, null);
        }

        settings.TryGetValue("AccountName", out var accountName);
        settings.TryGetValue("AccountKey", out var accountKey);
        settings.TryGetValue("SharedAccessSignature", out var sas);
        Uri blobEndpoint;
        if (settings.TryGetValue("BlobEndpoint", out var explicitEndpoint))
        {
            if (!Uri.TryCreate(explicitEndpoint, UriKind.Absolute, out blobEndpoint!))
            {
                throw new FormatException($"BlobEndpoint '{explicitEndpoint}' is not an absolute URI.");
            }
        }
        else if (accountName is not null)
        {
            string protocol = settings.TryGetValue("DefaultEndpointsProtocol", out var proto) ? proto : "https";
            string suffix = settings.TryGetValue("EndpointSuffix", out var s) ? s : "core.windows.net";
            blobEndpoint = new Uri($"{protocol}://{accountName}.blob.{suffix}");
        }
        else
        {
            throw new FormatException("The connection string names no blob endpoint: give AccountName (with EndpointSuffix) or BlobEndpoint, or UseDevelopmentStorage=true.");
        }

        if (accountKey is null && sas is null)
        {
            throw new FormatException("The connection string holds no credential: give AccountName and AccountKey, or SharedAccessSignature.");
        }

        if (accountKey is not null && accountName is null)
        {
            throw new FormatException("AccountKey needs AccountName in the connection string.");
        }

        return new AzureConnectionString(blobEndpoint, accountName, accountKey, accountKey is null ? sas : null);
    }
}
