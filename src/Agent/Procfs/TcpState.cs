namespace Agent.Procfs;

/// <summary>The <c>st</c> column of <c>net/tcp</c> (include/net/tcp_states.h).</summary>
internal enum TcpState
{
    Unknown = 0,
    Established = 0x01,
    SynSent = 0x02,
    SynRecv = 0x03,
    FinWait1 = 0x04,
    FinWait2 = 0x05,
    TimeWait = 0x06,
    Close = 0x07,
    CloseWait = 0x08,
    LastAck = 0x09,
    Listen = 0x0A,
    Closing = 0x0B,
    NewSynRecv = 0x0C,
}
