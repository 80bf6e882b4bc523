using System.Globalization;
using System.Text;
using MusicLocker.Storage;

namespace MusicLocker.Streaming.Tests;

public sealed class HttpRangeRequestTests
{
    private static readonly ETag Tag = new("\"v1\"");
    private static readonly DateTimeOffset Modified = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);

    private static RangeDecision Eval(string? range, long length = 1000, string? ifRange = null) =>
        HttpRangeRequest.Evaluate(range, ifRange, length, Tag, Modified);

    [Theory]
    [InlineData("bytes=0-99", 0, 100, "bytes 0-99/1000")]
    [InlineData("bytes=100-", 100, 900, "bytes 100-999/1000")]
    [InlineData("bytes=-100", 900, 100, "bytes 900-999/1000")]
    [InlineData("bytes=-5000", 0, 1000, "bytes 0-999/1000")] // a suffix longer than the representation is all of it
    [InlineData("bytes=990-5000", 990, 10, "bytes 990-999/1000")] // last-pos clamped
    [InlineData("bytes=999-999", 999, 1, "bytes 999-999/1000")] // the last byte
    [InlineData("bytes=0-", 0, 1000, "bytes 0-999/1000")] // all of it is still a 206
    [InlineData("BYTES = 5-9", 5, 5, "bytes 5-9/1000")] // unit case-insensitive, OWS around '='
    [InlineData("bytes= 5-9 ,", 5, 5, "bytes 5-9/1000")] // empty list elements are allowed (RFC 9110 §5.6.1)
    [InlineData("bytes=0-9, 5-19, 20-29", 0, 30, "bytes 0-29/1000")] // overlapping and adjacent ranges coalesce
    [InlineData("bytes=500-509, 0-9", 0, 10, "bytes 0-9/1000")] // disjoint: the first by position is served
    [InlineData("bytes=2000-3000, 10-19", 10, 10, "bytes 10-19/1000")] // the unsatisfiable one is dropped
    [InlineData("bytes=0-99999999999999999999999999", 0, 1000, "bytes 0-999/1000")] // an overflowing last-pos is "to the end"
    [InlineData("bytes=-99999999999999999999999999", 0, 1000, "bytes 0-999/1000")]
    public void Satisfiable_ranges_are_206_with_their_content_range(string range, long offset, long length, string contentRange)
    {
        var d = Eval(range);
        Assert.Equal(RangeOutcome.Partial, d.Outcome);
        Assert.Equal(206, d.StatusCode);
        Assert.Equal(offset, d.Offset);
        Assert.Equal(length, d.Length);
        Assert.Equal(contentRange, d.ContentRange);
    }

    [Theory]
    [InlineData("bytes=1000-")]
    [InlineData("bytes=1000-2000")]
    [InlineData("bytes=-0")]
    [InlineData("bytes=5000-6000, 1000-")]
    [InlineData("bytes=99999999999999999999999999-")] // an overflowing first-pos is past any end
    public void Unsatisfiable_ranges_are_416_with_the_length(string range)
    {
        var d = Eval(range);
        Assert.Equal(RangeOutcome.NotSatisfiable, d.Outcome);
        Assert.Equal(416, d.StatusCode);
        Assert.Equal("bytes */1000", d.ContentRange);
        Assert.Equal(0, d.Length);
    }

    [Fact]
    public void Any_range_of_an_empty_representation_is_416_and_no_range_is_200()
    {
        Assert.Equal("bytes */0", Eval("bytes=0-", length: 0).ContentRange);
        Assert.Equal(RangeOutcome.NotSatisfiable, Eval("bytes=-10", length: 0).Outcome);
        var full = Eval(null, length: 0);
        Assert.Equal((RangeOutcome.Full, 0L, 0L, (string?)null), (full.Outcome, full.Offset, full.Length, full.ContentRange));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("bytes")]
    [InlineData("bytes=")]
    [InlineData("bytes=,")]
    [InlineData("bytes=-")]
    [InlineData("bytes=5")]
    [InlineData("bytes=9-5")] // last < first: invalid, not unsatisfiable
    [InlineData("bytes=-5-")]
    [InlineData("bytes=--5")]
    [InlineData("bytes=+5-9")]
    [InlineData("bytes=5 -9")]
    [InlineData("bytes=0x10-0x20")]
    [InlineData("bytes=١-٢")] // Arabic-Indic digits are not DIGIT
    [InlineData("bytes=0-9;q=1")]
    [InlineData("items=0-9")]
    [InlineData("bytes 0-9")]
    [InlineData("bytes=0-9, garbage")]
    [InlineData("bytes=0-9\0")]
    public void Invalid_range_headers_are_ignored(string? range)
    {
        var d = Eval(range);
        Assert.Equal(RangeOutcome.Full, d.Outcome);
        Assert.Equal(200, d.StatusCode);
        Assert.Equal(1000, d.Length);
        Assert.Null(d.ContentRange);
    }

    [Theory]
    [InlineData("\"v1\"", RangeOutcome.Partial)]
    [InlineData(" \"v1\" ", RangeOutcome.Partial)]
    [InlineData("\"v2\"", RangeOutcome.Full)] // another version: send it whole
    [InlineData("W/\"v1\"", RangeOutcome.Full)] // weak validators never match (§13.1.5)
    [InlineData("\"v1", RangeOutcome.Full)]
    [InlineData("\"", RangeOutcome.Full)]
    [InlineData("Wed, 04 Mar 2026 05:06:07 GMT", RangeOutcome.Partial)] // the exact Last-Modified
    [InlineData("Wed, 04 Mar 2026 05:06:08 GMT", RangeOutcome.Full)] // a later date is not a match: If-Range wants equality
    [InlineData("Wed, 04 Mar 2026 05:06:06 GMT", RangeOutcome.Full)]
    [InlineData("yesterday", RangeOutcome.Full)]
    [InlineData("", RangeOutcome.Full)]
    public void If_range_matches_only_the_same_strong_validator(string ifRange, RangeOutcome expected) =>
        Assert.Equal(expected, Eval("bytes=0-9", ifRange: ifRange).Outcome);

    [Fact]
    public void If_range_compares_with_unquoted_store_etags_and_ignores_sub_second_last_modified()
    {
        var d = HttpRangeRequest.Evaluate("bytes=0-9", "\"abc\"", 100, new ETag("abc"), Modified);
        Assert.Equal(RangeOutcome.Partial, d.Outcome);
        Assert.Equal(RangeOutcome.Partial, HttpRangeRequest.Evaluate("bytes=0-9", "Wed, 04 Mar 2026 05:06:07 GMT", 100, Tag, Modified.AddMilliseconds(400)).Outcome);
        Assert.Equal(RangeOutcome.Full, HttpRangeRequest.Evaluate("bytes=0-9", "\"abc\"", 100, default, Modified).Outcome);

        // If-Range without Range is nothing; an unsatisfiable range behind a failed If-Range is a 200, not a 416.
        Assert.Equal(RangeOutcome.Full, Eval(null, ifRange: "\"v1\"").Outcome);
        Assert.Equal(RangeOutcome.Full, Eval("bytes=5000-", ifRange: "\"v2\"").Outcome);
    }

    [Fact]
    public void Many_ranges_are_coalesced_up_to_the_limit_and_ignored_past_it()
    {
        string Ranges(int n) => "bytes=" + string.Join(",", Enumerable.Range(0, n).Select(i => string.Create(CultureInfo.InvariantCulture, $"{i * 2}-{(i * 2) + 1}")));
        var d = Eval(Ranges(HttpRangeRequest.MaxRanges), length: 1_000_000);
        Assert.Equal(RangeOutcome.Partial, d.Outcome);
        Assert.Equal(HttpRangeRequest.MaxRanges * 2, d.Length); // adjacent: one range
        Assert.Equal(RangeOutcome.Full, Eval(Ranges(HttpRangeRequest.MaxRanges + 1), length: 1_000_000).Outcome);
        Assert.Equal(RangeOutcome.Full, Eval(Ranges(10_000), length: 1_000_000).Outcome);
    }

    [Fact]
    public void Hostile_headers_never_throw_and_always_decide_a_valid_answer()
    {
        var random = new Random(9110);
        string alphabet = "bytes=0123456789-,; \t\"W/*\0\r\nxyzé١";
        var hostile = new List<string>
        {
            new('9', 100_000),
            "bytes=" + new string('9', 100_000) + "-",
            "bytes=-" + new string('9', 100_000),
            "bytes=" + string.Concat(Enumerable.Repeat("0-0,", 10_000)),
            "bytes=" + string.Concat(Enumerable.Repeat(",", 100_000)),
            "bytes=" + long.MaxValue.ToString(CultureInfo.InvariantCulture) + "-" + long.MaxValue.ToString(CultureInfo.InvariantCulture),
            "bytes=-" + long.MaxValue.ToString(CultureInfo.InvariantCulture),
            "bytes=9223372036854775807-",
            "bytes=9223372036854775808-9223372036854775809",
            "bytes=-1--1",
            "bytes=-9223372036854775808",
            "=====",
            "bytes==0-1",
        };
        for (int i = 0; i < 20_000; i++)
        {
            var sb = new StringBuilder(random.Next(2) == 0 ? "bytes=" : string.Empty);
            int n = random.Next(40);
            for (int j = 0; j < n; j++)
            {
                sb.Append(alphabet[random.Next(alphabet.Length)]);
            }

            hostile.Add(sb.ToString());
        }

        foreach (long length in new[] { 0L, 1L, 1000L, long.MaxValue })
        {
            foreach (string range in hostile)
            {
                var d = HttpRangeRequest.Evaluate(range, random.Next(3) == 0 ? range : null, length, Tag, Modified);
                switch (d.Outcome)
                {
                    case RangeOutcome.Full:
                        Assert.Equal((0L, length), (d.Offset, d.Length));
                        break;
                    case RangeOutcome.Partial:
                        Assert.True(d.Offset >= 0 && d.Length > 0 && d.Length <= length - d.Offset, $"{range} → {d}");
                        break;
                    case RangeOutcome.NotSatisfiable:
                        Assert.Equal(0, d.Length);
                        break;
                    default:
                        Assert.Fail($"{range} → {d}");
                        break;
                }
            }
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => HttpRangeRequest.Evaluate("bytes=0-1", null, -1, Tag, Modified));
    }
}
