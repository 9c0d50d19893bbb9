//! Flow-level keywords: `flow`, `flowbits`, `xbits`, `flowint`,
//! `stream_size`.

use std::fmt;

use super::value::{commas, is_var_name, number, parse_u64, Operand, VResult, ValueError};

/// Connection state required by `flow`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FlowState {
    /// `established`.
    Established,
    /// `not_established`.
    NotEstablished,
    /// `stateless`.
    Stateless,
}

/// Direction required by `flow`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FlowDirection {
    /// `to_server` / `from_client`.
    ToServer,
    /// `to_client` / `from_server`.
    ToClient,
}

/// Stream/packet restriction of `flow`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FlowStream {
    /// `only_stream`: reassembled stream only.
    OnlyStream,
    /// `no_stream`: packets only.
    NoStream,
}

/// Fragment restriction of `flow`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FlowFrag {
    /// `only_frag`: reassembled fragments only.
    OnlyFrag,
    /// `no_frag`: unfragmented packets only.
    NoFrag,
}

/// `flow`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Flow {
    /// Connection state.
    pub state: Option<FlowState>,
    /// Direction.
    pub direction: Option<FlowDirection>,
    /// Stream or packets.
    pub stream: Option<FlowStream>,
    /// Fragments.
    pub frag: Option<FlowFrag>,
}

/// Parses `flow` (options in any order, synonyms accepted).
pub(crate) fn parse_flow(value: &str) -> VResult<Flow> {
    let mut f = Flow::default();
    fn set<T: PartialEq + Copy>(slot: &mut Option<T>, v: T, item: &str) -> VResult<()> {
        match slot {
            Some(old) if *old != v => Err(ValueError::new(format!(
                "'{item}' conflicts with an earlier option"
            ))),
            Some(_) => Err(ValueError::new(format!("'{item}' given twice"))),
            None => {
                *slot = Some(v);
                Ok(())
            }
        }
    }
    for item in commas(value) {
        let r = match item {
            "established" => set(&mut f.state, FlowState::Established, item),
            "not_established" => set(&mut f.state, FlowState::NotEstablished, item),
            "stateless" => set(&mut f.state, FlowState::Stateless, item),
            "to_server" | "from_client" => set(&mut f.direction, FlowDirection::ToServer, item),
            "to_client" | "from_server" => set(&mut f.direction, FlowDirection::ToClient, item),
            "only_stream" => set(&mut f.stream, FlowStream::OnlyStream, item),
            "no_stream" => set(&mut f.stream, FlowStream::NoStream, item),
            "only_frag" => set(&mut f.frag, FlowFrag::OnlyFrag, item),
            "no_frag" => set(&mut f.frag, FlowFrag::NoFrag, item),
            _ => Err(ValueError::new(format!("unknown flow option '{item}'"))),
        };
        r.map_err(|e| ValueError::at(value, item, e.reason))?;
    }
    if f == Flow::default() {
        return Err(ValueError::new("flow needs at least one option"));
    }
    Ok(f)
}

impl fmt::Display for Flow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<&str> = Vec::new();
        if let Some(s) = self.state {
            parts.push(match s {
                FlowState::Established => "established",
                FlowState::NotEstablished => "not_established",
                FlowState::Stateless => "stateless",
            });
        }
        if let Some(d) = self.direction {
            parts.push(match d {
                FlowDirection::ToServer => "to_server",
                FlowDirection::ToClient => "to_client",
            });
        }
        if let Some(s) = self.stream {
            parts.push(match s {
                FlowStream::OnlyStream => "only_stream",
                FlowStream::NoStream => "no_stream",
            });
        }
        if let Some(s) = self.frag {
            parts.push(match s {
                FlowFrag::OnlyFrag => "only_frag",
                FlowFrag::NoFrag => "no_frag",
            });
        }
        f.write_str(&parts.join(","))
    }
}

/// What a `flowbits`/`xbits` option does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BitsCommand {
    /// `set`.
    Set,
    /// `unset`.
    Unset,
    /// `toggle`.
    Toggle,
    /// `isset`.
    IsSet,
    /// `isnotset`.
    IsNotSet,
    /// `noalert` (flowbits only): never alert.
    NoAlert,
}

impl BitsCommand {
    fn name(self) -> &'static str {
        match self {
            BitsCommand::Set => "set",
            BitsCommand::Unset => "unset",
            BitsCommand::Toggle => "toggle",
            BitsCommand::IsSet => "isset",
            BitsCommand::IsNotSet => "isnotset",
            BitsCommand::NoAlert => "noalert",
        }
    }

    fn from_name(s: &str) -> Option<BitsCommand> {
        Some(match s {
            "set" => BitsCommand::Set,
            "unset" => BitsCommand::Unset,
            "toggle" => BitsCommand::Toggle,
            "isset" => BitsCommand::IsSet,
            "isnotset" => BitsCommand::IsNotSet,
            "noalert" => BitsCommand::NoAlert,
            _ => return None,
        })
    }

    /// Whether the command reads bits (a condition) rather than writing
    /// them (an action after the match).
    pub fn is_check(self) -> bool {
        matches!(self, BitsCommand::IsSet | BitsCommand::IsNotSet)
    }
}

/// How several bit names combine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BitsCombine {
    /// `a|b`: any of them (Suricata: isset/isnotset only).
    Any,
    /// `a&b`: all of them.
    All,
}

/// `flowbits`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Flowbits {
    /// The command.
    pub command: BitsCommand,
    /// Bit names (one unless `|` or `&` combine several).
    pub names: Vec<String>,
    /// How `names` combine when there are several.
    pub combine: Option<BitsCombine>,
}

fn bit_names(s: &str) -> VResult<(Vec<String>, Option<BitsCombine>)> {
    let (sep, combine) = if s.contains('|') {
        ('|', Some(BitsCombine::Any))
    } else if s.contains('&') {
        ('&', Some(BitsCombine::All))
    } else {
        (' ', None)
    };
    let names: Vec<String> = if combine.is_some() {
        s.split(sep).map(|n| n.trim().to_string()).collect()
    } else {
        vec![s.trim().to_string()]
    };
    if names
        .iter()
        .any(|n| n.is_empty() || n.contains(char::is_whitespace))
    {
        return Err(ValueError::new(format!("bad bit name in '{s}'")));
    }
    Ok((names, combine))
}

/// Parses `flowbits`.
pub(crate) fn parse_flowbits(value: &str) -> VResult<Flowbits> {
    let (cmd, names) = match value.split_once(',') {
        Some((c, n)) => (c.trim(), Some(n.trim())),
        None => (value.trim(), None),
    };
    let command = BitsCommand::from_name(cmd)
        .ok_or_else(|| ValueError::new(format!("unknown flowbits command '{cmd}'")))?;
    let (names, combine) = match (command, names) {
        (BitsCommand::NoAlert, None) => (Vec::new(), None),
        (BitsCommand::NoAlert, Some(_)) => {
            return Err(ValueError::new("'noalert' takes no bit name"))
        }
        (_, None) => return Err(ValueError::new(format!("'{cmd}' needs a bit name"))),
        (_, Some(n)) => bit_names(n).map_err(|e| ValueError::at(value, n, e.reason))?,
    };
    if combine == Some(BitsCombine::Any) && !command.is_check() {
        return Err(ValueError::new("'|' only works with isset and isnotset"));
    }
    Ok(Flowbits {
        command,
        names,
        combine,
    })
}

fn write_names(
    f: &mut fmt::Formatter<'_>,
    names: &[String],
    combine: Option<BitsCombine>,
) -> fmt::Result {
    let sep = match combine {
        Some(BitsCombine::All) => "&",
        _ => "|",
    };
    f.write_str(&names.join(sep))
}

impl fmt::Display for Flowbits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.command.name())?;
        if !self.names.is_empty() {
            f.write_str(",")?;
            write_names(f, &self.names, self.combine)?;
        }
        Ok(())
    }
}

/// What an `xbits` bit is tracked by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum XbitsTrack {
    /// `ip_src`.
    IpSrc,
    /// `ip_dst`.
    IpDst,
    /// `ip_pair`.
    IpPair,
    /// `tx` (Suricata 7+).
    Tx,
}

/// `xbits`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Xbits {
    /// The command (not `noalert`).
    pub command: BitsCommand,
    /// The bit name(s).
    pub names: Vec<String>,
    /// How names combine.
    pub combine: Option<BitsCombine>,
    /// What the bit is stored on.
    pub track: XbitsTrack,
    /// `expire N` seconds.
    pub expire: Option<u32>,
}

/// How long a host bit lives when `hostbits` sets it (Suricata's fixed
/// 300 s).
pub const HOSTBITS_EXPIRE: u32 = 300;

/// Parses `hostbits` (`set,name[,src|dst]`, `noalert`): bits on the source
/// (the default) or destination host, the same store as `xbits` with
/// `track ip_src` / `ip_dst` (Suricata keeps both as host bits), expiring
/// after [`HOSTBITS_EXPIRE`] seconds. `None` for `hostbits:noalert`.
pub(crate) fn parse_hostbits(value: &str) -> VResult<Option<Xbits>> {
    let mut it = commas(value);
    let cmd = it.next().unwrap_or("");
    let command = BitsCommand::from_name(cmd)
        .ok_or_else(|| ValueError::new(format!("unknown hostbits command '{cmd}'")))?;
    let name = it.next().filter(|n| !n.is_empty());
    if command == BitsCommand::NoAlert {
        return match name {
            None => Ok(None),
            Some(n) => Err(ValueError::at(value, n, "hostbits:noalert takes no name")),
        };
    }
    let name = name.ok_or_else(|| ValueError::new("hostbits needs a bit name"))?;
    let (names, combine) = bit_names(name).map_err(|e| ValueError::at(value, name, e.reason))?;
    let track = match it.next() {
        None | Some("src") => XbitsTrack::IpSrc,
        Some("dst") => XbitsTrack::IpDst,
        Some(d) => {
            let why = if d == "both" {
                "hostbits direction 'both' is not implemented (nor in Suricata)".to_string()
            } else {
                format!("expected src or dst, found '{d}'")
            };
            return Err(ValueError::at(value, d, why));
        }
    };
    if let Some(extra) = it.next() {
        return Err(ValueError::at(value, extra, "unexpected hostbits option"));
    }
    Ok(Some(Xbits {
        command,
        names,
        combine,
        track,
        expire: Some(HOSTBITS_EXPIRE),
    }))
}

/// Parses `xbits` (`set,name,track ip_src,expire 60`).
pub(crate) fn parse_xbits(value: &str) -> VResult<Xbits> {
    let mut it = commas(value);
    let cmd = it.next().unwrap_or("");
    let command = BitsCommand::from_name(cmd)
        .filter(|c| *c != BitsCommand::NoAlert)
        .ok_or_else(|| ValueError::new(format!("unknown xbits command '{cmd}'")))?;
    let name = it
        .next()
        .filter(|n| !n.is_empty())
        .ok_or_else(|| ValueError::new("xbits needs a bit name"))?;
    let (names, combine) = bit_names(name).map_err(|e| ValueError::at(value, name, e.reason))?;
    let mut track = None;
    let mut expire = None;
    for item in it {
        let (word, arg) = super::value::split_word(item);
        match word {
            "track" => {
                track = Some(match arg {
                    "ip_src" => XbitsTrack::IpSrc,
                    "ip_dst" => XbitsTrack::IpDst,
                    "ip_pair" => XbitsTrack::IpPair,
                    "tx" => XbitsTrack::Tx,
                    _ => {
                        return Err(ValueError::at(
                            value,
                            item,
                            format!("unknown track '{arg}'"),
                        ))
                    }
                })
            }
            "expire" => {
                expire = Some(
                    number(arg, u64::from(u32::MAX), "expire")
                        .map_err(|e| ValueError::at(value, item, e.reason))?
                        as u32,
                )
            }
            _ => {
                return Err(ValueError::at(
                    value,
                    item,
                    format!("unknown option '{item}'"),
                ))
            }
        }
    }
    let track =
        track.ok_or_else(|| ValueError::new("xbits needs 'track ip_src|ip_dst|ip_pair'"))?;
    Ok(Xbits {
        command,
        names,
        combine,
        track,
        expire,
    })
}

impl fmt::Display for Xbits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{},", self.command.name())?;
        write_names(f, &self.names, self.combine)?;
        let track = match self.track {
            XbitsTrack::IpSrc => "ip_src",
            XbitsTrack::IpDst => "ip_dst",
            XbitsTrack::IpPair => "ip_pair",
            XbitsTrack::Tx => "tx",
        };
        write!(f, ",track {track}")?;
        if let Some(e) = self.expire {
            write!(f, ",expire {e}")?;
        }
        Ok(())
    }
}

/// `flowint` operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FlowintOp {
    /// `=`: set.
    Set,
    /// `+`: add.
    Add,
    /// `-`: subtract.
    Sub,
    /// `==`.
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `isset`.
    IsSet,
    /// `notset` / `isnotset`.
    NotSet,
}

impl FlowintOp {
    fn symbol(self) -> &'static str {
        match self {
            FlowintOp::Set => "=",
            FlowintOp::Add => "+",
            FlowintOp::Sub => "-",
            FlowintOp::Eq => "==",
            FlowintOp::Ne => "!=",
            FlowintOp::Lt => "<",
            FlowintOp::Le => "<=",
            FlowintOp::Gt => ">",
            FlowintOp::Ge => ">=",
            FlowintOp::IsSet => "isset",
            FlowintOp::NotSet => "notset",
        }
    }

    /// Whether the operator changes the variable (an action after the
    /// match) rather than testing it.
    pub fn is_modify(self) -> bool {
        matches!(self, FlowintOp::Set | FlowintOp::Add | FlowintOp::Sub)
    }
}

/// `flowint`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Flowint {
    /// Variable name.
    pub name: String,
    /// Operator.
    pub op: FlowintOp,
    /// Operand (absent for `isset`/`notset`).
    pub value: Option<Operand<u64>>,
}

/// Parses `flowint` (`name, op[, value]`).
pub(crate) fn parse_flowint(value: &str) -> VResult<Flowint> {
    let mut it = commas(value);
    let name = it.next().unwrap_or("");
    if name.is_empty() || name.contains(char::is_whitespace) {
        return Err(ValueError::new("flowint needs a variable name"));
    }
    let op_text = it.next().unwrap_or("");
    let op = match op_text {
        "=" => FlowintOp::Set,
        "+" => FlowintOp::Add,
        "-" => FlowintOp::Sub,
        "==" => FlowintOp::Eq,
        "!=" => FlowintOp::Ne,
        "<" => FlowintOp::Lt,
        "<=" => FlowintOp::Le,
        ">" => FlowintOp::Gt,
        ">=" => FlowintOp::Ge,
        "isset" => FlowintOp::IsSet,
        "notset" | "isnotset" => FlowintOp::NotSet,
        _ => {
            return Err(ValueError::at(
                value,
                op_text,
                format!("unknown flowint operator '{op_text}'"),
            ))
        }
    };
    let operand = it.next();
    let val = match (op, operand) {
        (FlowintOp::IsSet | FlowintOp::NotSet, None) => None,
        (FlowintOp::IsSet | FlowintOp::NotSet, Some(x)) => {
            return Err(ValueError::at(value, x, "isset/notset take no value"))
        }
        (_, None) => return Err(ValueError::new("flowint needs a value")),
        (_, Some(v)) => Some(if is_var_name(v) {
            Operand::Var(v.to_string())
        } else {
            Operand::Num(parse_u64(v).ok_or_else(|| ValueError::at(value, v, "not a number"))?)
        }),
    };
    if let Some(extra) = it.next() {
        return Err(ValueError::at(value, extra, "unexpected extra value"));
    }
    Ok(Flowint {
        name: name.to_string(),
        op,
        value: val,
    })
}

impl fmt::Display for Flowint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{},{}", self.name, self.op.symbol())?;
        if let Some(v) = &self.value {
            write!(f, ",{v}")?;
        }
        Ok(())
    }
}

/// Which side's stream `stream_size` looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StreamSide {
    /// `server`.
    Server,
    /// `client`.
    Client,
    /// `both`.
    Both,
    /// `either`.
    Either,
}

/// `stream_size`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StreamSize {
    /// Side.
    pub side: StreamSide,
    /// Comparison operator as written (`<`, `<=`, `=`, `!=`, `>=`, `>`).
    pub op: CmpOp,
    /// Bytes.
    pub bytes: u32,
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `=`.
    Eq,
    /// `!=`.
    Ne,
    /// `>=`.
    Ge,
    /// `>`.
    Gt,
}

impl CmpOp {
    pub(crate) fn parse(s: &str) -> Option<CmpOp> {
        Some(match s {
            "<" => CmpOp::Lt,
            "<=" => CmpOp::Le,
            "=" | "==" => CmpOp::Eq,
            "!=" => CmpOp::Ne,
            ">=" => CmpOp::Ge,
            ">" => CmpOp::Gt,
            _ => return None,
        })
    }

    pub(crate) fn symbol(self) -> &'static str {
        match self {
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Ge => ">=",
            CmpOp::Gt => ">",
        }
    }
}

/// Parses `stream_size` (`server,<,6`).
pub(crate) fn parse_stream_size(value: &str) -> VResult<StreamSize> {
    let mut it = commas(value);
    let (Some(side), Some(op), Some(n)) = (it.next(), it.next(), it.next()) else {
        return Err(ValueError::new("expected side, operator, bytes"));
    };
    let side = match side {
        "server" => StreamSide::Server,
        "client" => StreamSide::Client,
        "both" => StreamSide::Both,
        "either" => StreamSide::Either,
        _ => {
            return Err(ValueError::at(
                value,
                side,
                format!("unknown side '{side}'"),
            ))
        }
    };
    let op = CmpOp::parse(op)
        .ok_or_else(|| ValueError::at(value, op, format!("unknown operator '{op}'")))?;
    let bytes = number(n, u64::from(u32::MAX), "bytes")
        .map_err(|e| ValueError::at(value, n, e.reason))? as u32;
    Ok(StreamSize { side, op, bytes })
}

impl fmt::Display for StreamSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let side = match self.side {
            StreamSide::Server => "server",
            StreamSide::Client => "client",
            StreamSide::Both => "both",
            StreamSide::Either => "either",
        };
        write!(f, "{side},{},{}", self.op.symbol(), self.bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_options() {
        let f = parse_flow(" established, to_server").unwrap();
        assert_eq!(f.state, Some(FlowState::Established));
        assert_eq!(f.direction, Some(FlowDirection::ToServer));
        assert_eq!(
            parse_flow("from_server,established").unwrap().direction,
            Some(FlowDirection::ToClient)
        );
        assert!(parse_flow("to_server,to_client")
            .unwrap_err()
            .reason
            .contains("conflicts"));
        let e = parse_flow("established,sideways").unwrap_err();
        assert_eq!(e.at, 12);
        assert_eq!(
            parse_flow("to_client,established,only_stream")
                .unwrap()
                .to_string(),
            "established,to_client,only_stream"
        );
    }

    #[test]
    fn flowbits_forms() {
        let b = parse_flowbits("set,ET.TorIP").unwrap();
        assert_eq!(b.command, BitsCommand::Set);
        assert_eq!(b.names, ["ET.TorIP"]);
        assert_eq!(parse_flowbits("noalert").unwrap().names.len(), 0);
        let b = parse_flowbits("isset,a|b").unwrap();
        assert_eq!(b.combine, Some(BitsCombine::Any));
        assert_eq!(b.to_string(), "isset,a|b");
        assert!(parse_flowbits("set").is_err());
        assert!(parse_flowbits("frob,x").is_err());
        assert!(parse_flowbits("set,a|b").is_err());
    }

    #[test]
    fn xbits_forms() {
        let x = parse_xbits("set, ET.PROPFIND, track ip_src, expire 30").unwrap();
        assert_eq!(x.track, XbitsTrack::IpSrc);
        assert_eq!(x.expire, Some(30));
        assert_eq!(x.to_string(), "set,ET.PROPFIND,track ip_src,expire 30");
        assert!(parse_xbits("set,x").is_err());
        assert!(parse_xbits("set,x,track ip_nowhere").is_err());
    }

    #[test]
    fn hostbits_forms() {
        // The source host by default, 300 s, the xbits store.
        let x = parse_hostbits("set,abc").unwrap().unwrap();
        assert_eq!(
            (x.command, x.track, x.expire),
            (BitsCommand::Set, XbitsTrack::IpSrc, Some(300))
        );
        assert_eq!(x.to_string(), "set,abc,track ip_src,expire 300");
        let x = parse_hostbits("isnotset,abc,dst").unwrap().unwrap();
        assert_eq!(
            (x.command, x.track),
            (BitsCommand::IsNotSet, XbitsTrack::IpDst)
        );
        assert_eq!(parse_hostbits("noalert").unwrap(), None);
        assert!(parse_hostbits("noalert,abc").is_err());
        assert!(parse_hostbits("set").is_err());
        assert!(parse_hostbits("set,abc,both")
            .unwrap_err()
            .reason
            .contains("both"));
        let e = parse_hostbits("set,abc,sideways").unwrap_err();
        assert_eq!(e.at, 8);
    }

    #[test]
    fn flowint_forms() {
        let f = parse_flowint(" ET.x, +, 1").unwrap();
        assert_eq!(f.op, FlowintOp::Add);
        assert_eq!(f.value, Some(Operand::Num(1)));
        assert_eq!(parse_flowint("a,isset").unwrap().value, None);
        assert!(parse_flowint("a,+").is_err());
        assert!(parse_flowint("a,~,1").is_err());
        assert_eq!(parse_flowint("c,>=,5").unwrap().to_string(), "c,>=,5");
    }

    #[test]
    fn stream_size_forms() {
        let s = parse_stream_size("server,<,6").unwrap();
        assert_eq!((s.side, s.op, s.bytes), (StreamSide::Server, CmpOp::Lt, 6));
        assert!(parse_stream_size("left,<,6").is_err());
        assert!(parse_stream_size("server,<").is_err());
    }
}
