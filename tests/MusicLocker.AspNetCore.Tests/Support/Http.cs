using System.Net.Http.Headers;
using System.Text.Json;

namespace MusicLocker.AspNetCore.Tests.Support;

internal static class Http
{
    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static HttpRequestMessage Get(string url, string? range = null, HttpMethod? method = null)
    {
        var request = new HttpRequestMessage(method ?? HttpMethod.Get, url);
        if (range is not null)
        {
            request.Headers.TryAddWithoutValidation("Range", range);
        }

        return request;
    }

    public static string Stream(Guid id) => $"{LockerHost.Prefix}/tracks/{id:D}/stream";

    /// <summary>The JSON error body's <c>error</c> member.</summary>
    public static async Task<string> ErrorOf(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        return json.RootElement.GetProperty("error").GetString()!;
    }

    public static async Task<JsonDocument> JsonOf(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
    }

    public static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values) ? string.Join(",", values) : null;

    public static ContentRangeHeaderValue? ContentRange(HttpResponseMessage response) => response.Content.Headers.ContentRange;
}
