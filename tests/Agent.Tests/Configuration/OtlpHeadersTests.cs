using Agent.Configuration;
using Microsoft.Extensions.Configuration;

namespace Agent.Tests.Configuration;

/// <summary>
/// <c>Otlp:Headers</c> follows the OTEL_EXPORTER_OTLP_HEADERS form <c>k1=v1,k2=v2</c>: every
/// comma-separated pair has a non-empty header name before its first '='. Anything else is a
/// configuration error naming the key, never the value (it is usually a credential).
/// </summary>
public class OtlpHeadersTests
{
    private static AgentSettings Load(string headers) =>
        AgentSettings.Load(new ConfigurationBuilder().AddInMemoryCollection(
        [
            new("Otlp:Endpoint", "http://127.0.0.1:4318"),
            new("Otlp:Headers", headers),
        ]).Build());

    [Theory]
    [InlineData("=,,=novalue")]           // the crash of issue 11: empty names, an empty pair
    [InlineData("novalue")]               // no '=' at all
    [InlineData("api-key=s3cret-value,")] // a trailing comma is an empty pair
    [InlineData("bad name=s3cret-value")] // a space is not a header-name character
    [InlineData("x:y=s3cret-value")]      // nor is ':'
    [InlineData("a=s3cret\nvalue")]       // a control character would split the request line
    public void A_malformed_list_is_refused_naming_the_key_not_the_value(string headers)
    {
        var e = Assert.Throws<ConfigurationException>(() => Load(headers));

        Assert.Equal("Otlp:Headers", e.Key);
        Assert.DoesNotContain("s3cret", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("authorization=Bearer abc")]
    [InlineData(" api-key = s3cret , x-tenant=a=b ")] // names trimmed; a value may hold '='
    [InlineData("x-empty=")]                         // an empty value is a legal header
    public void A_well_formed_list_is_accepted(string headers)
    {
        Assert.Equal(headers, Load(headers).Otlp.Headers?.Reveal());
    }
}
