using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace MusicLocker.AspNetCore.Subsonic;

/// <summary>A request's parameters: the query string and, for a POST form (the OpenSubsonic <c>formPost</c> extension), the form.</summary>
internal sealed class SubsonicParameters
{
    private readonly IQueryCollection _query;
    private readonly IFormCollection? _form;

    private SubsonicParameters(IQueryCollection query, IFormCollection? form)
    {
        _query = query;
        _form = form;
    }

    public static async Task<SubsonicParameters> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        IFormCollection? form = null;
        if (HttpMethods.IsPost(request.Method) && request.HasFormContentType)
        {
            form = await request.ReadFormAsync(cancellationToken).ConfigureAwait(false);
        }

        return new SubsonicParameters(request.Query, form);
    }

    public StringValues All(string name)
    {
        var values = _query[name];
        return _form is null ? values : StringValues.Concat(values, _form[name]);
    }

    public string? Get(string name)
    {
        var values = All(name);
        return values.Count == 0 ? null : values[0];
    }

    public string Required(string name) => Get(name) is { Length: > 0 } value ? value : throw SubsonicFault.Missing(name);

    public int Int(string name, int fallback, int min = int.MinValue, int max = int.MaxValue)
    {
        string? text = Get(name);
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= min
            ? Math.Min(value, max)
            : throw SubsonicFault.Invalid(name, text);
    }

    public int? OptionalInt(string name)
    {
        string? text = Get(name);
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : throw SubsonicFault.Invalid(name, text);
    }

    public bool Bool(string name, bool fallback)
    {
        string? text = Get(name);
        return string.IsNullOrEmpty(text) ? fallback : string.Equals(text, "true", StringComparison.OrdinalIgnoreCase) || text == "1";
    }
}
