//! UK and US spelling variants, folded to one form before stemming, so
//! `organization` finds `organisation`, `pediatric` finds `paediatric` and
//! `program` finds `programme`.
//!
//! The canonical form is British (the corpus is mostly NHS English), so most
//! words pass through untouched. Rules are deliberately narrow — explicit word
//! stems and suffixes, with exceptions — because a wrong fold merges words
//! that mean different things (`laboratory` is not `labour`, `academia` is
//! not a disease).

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

/// Whole words with an irregular UK form.
const WORDS: &[(&str, &str)] = &[
    ("program", "programme"),
    ("programs", "programmes"),
    ("defense", "defence"),
    ("defenses", "defences"),
    ("offense", "offence"),
    ("offenses", "offences"),
    ("catalog", "catalogue"),
    ("catalogs", "catalogues"),
    ("dialog", "dialogue"),
    ("dialogs", "dialogues"),
    ("analog", "analogue"),
    ("analogs", "analogues"),
    ("aging", "ageing"),
    ("judgment", "judgement"),
    ("judgments", "judgements"),
    ("gray", "grey"),
    ("mold", "mould"),
    ("molds", "moulds"),
    ("skeptic", "sceptic"),
    ("skeptical", "sceptical"),
    ("skepticism", "scepticism"),
    ("sulfur", "sulphur"),
    ("aluminum", "aluminium"),
    ("practise", "practice"),
    ("practised", "practiced"),
    ("practises", "practices"),
    ("practising", "practicing"),
    ("center", "centre"),
    ("centers", "centres"),
    ("centered", "centred"),
    ("centering", "centring"),
    ("fiber", "fibre"),
    ("fibers", "fibres"),
    ("theater", "theatre"),
    ("theaters", "theatres"),
    ("liter", "litre"),
    ("liters", "litres"),
    ("milliliter", "millilitre"),
    ("milliliters", "millilitres"),
    ("meager", "meagre"),
    ("somber", "sombre"),
    ("caliber", "calibre"),
    ("maneuver", "manoeuvre"),
    ("maneuvers", "manoeuvres"),
    ("enrollment", "enrolment"),
    ("enrollments", "enrolments"),
    ("fulfillment", "fulfilment"),
    ("installment", "instalment"),
    ("installments", "instalments"),
    ("skillful", "skilful"),
    ("willful", "wilful"),
    ("fetus", "foetus"),
    ("fetuses", "foetuses"),
    ("fetal", "foetal"),
    ("edema", "oedema"),
    ("estrogen", "oestrogen"),
    ("feces", "faeces"),
    ("fecal", "faecal"),
    ("diarrhea", "diarrhoea"),
    ("etiology", "aetiology"),
    ("cesarean", "caesarean"),
    ("cesareans", "caesareans"),
    ("tumor", "tumour"),
    ("tumors", "tumours"),
];

/// US stems with a British equivalent, valid before any of the listed
/// suffixes (so `neighborhood` → `neighbourhood` but `laboratory` stays).
const STEMS: &[StemRule] = &[
    ("behavior", "behaviour", OUR),
    ("color", "colour", OUR),
    ("favor", "favour", OUR),
    ("flavor", "flavour", OUR),
    ("honor", "honour", &["", "s", "ed", "ing", "able", "ably"]),
    ("humor", "humour", &["", "s", "ed", "ing", "less"]),
    ("labor", "labour", &["", "s", "ed", "ing", "er", "ers"]),
    ("neighbor", "neighbour", OUR),
    ("rumor", "rumour", OUR),
    ("savior", "saviour", OUR),
    ("vapor", "vapour", &["", "s"]),
    ("odor", "odour", &["", "s", "less"]),
    ("harbor", "harbour", OUR),
    ("endeavor", "endeavour", OUR),
    ("armor", "armour", OUR),
    ("vigor", "vigour", &[""]),
    ("rigor", "rigour", &["", "s"]),
    ("valor", "valour", &[""]),
    ("candor", "candour", &[""]),
    ("parlor", "parlour", &["", "s"]),
    ("splendor", "splendour", &["", "s"]),
    ("demeanor", "demeanour", &["", "s"]),
    ("counselor", "counsellor", &["", "s"]),
    ("traveled", "travelled", &[""]),
    ("traveling", "travelling", &[""]),
    ("traveler", "traveller", &["", "s"]),
    ("modeled", "modelled", &[""]),
    ("modeling", "modelling", &[""]),
    ("labeled", "labelled", &[""]),
    ("labeling", "labelling", &[""]),
    ("canceled", "cancelled", &[""]),
    ("canceling", "cancelling", &[""]),
    ("counseled", "counselled", &[""]),
    ("counseling", "counselling", &[""]),
    ("fueled", "fuelled", &[""]),
    ("fueling", "fuelling", &[""]),
    ("signaled", "signalled", &[""]),
    ("signaling", "signalling", &[""]),
    ("leveled", "levelled", &[""]),
    ("leveling", "levelling", &[""]),
    ("totaled", "totalled", &[""]),
    ("pediatr", "paediatr", ANY),
    ("anesthe", "anaesthe", ANY),
    ("hematol", "haematol", ANY),
    ("hemorrh", "haemorrh", ANY),
    ("hemoglob", "haemoglob", ANY),
    ("hemophil", "haemophil", ANY),
    ("hematom", "haematom", ANY),
    ("hematur", "haematur", ANY),
    ("gynecol", "gynaecol", ANY),
    ("orthoped", "orthopaed", ANY),
    ("esophag", "oesophag", ANY),
    ("encyclopedi", "encyclopaedi", ANY),
];

const OUR: &[&str] = &[
    "", "s", "ed", "ing", "al", "ally", "ful", "less", "hood", "hoods", "ly", "ite", "ites", "ist",
    "ists", "able", "ably", "er", "ers",
];
/// Any suffix: used for stems specific enough to be unambiguous.
const ANY: &[&str] = &[];

/// `-ize` family suffixes, US and UK alike after the `iz`/`is`.
const IZE: &[&str] = &[
    "e", "es", "ed", "ing", "ation", "ations", "ational", "er", "ers", "able",
];
/// Words ending in `-ize` that are not `-ise` words in British English.
const IZE_EXCEPTIONS: &[&str] = &["pr", "se", "ma"];
/// Prefixes of `-size` compounds (`downsize`, `resize`), which are not `-ise` words.
const SIZE_PREFIXES: &[&str] = &[
    "", "down", "re", "over", "under", "out", "super", "right", "bite", "king", "pint", "life",
    "mid", "up", "cap",
];
/// `-emia` words that are not diseases.
const EMIA_EXCEPTIONS: &[&str] = &["academia", "bohemia"];
/// `-emic` adjectives spelled `-aemic` in British English.
const AEMIC: &[&str] = &[
    "glycemic",
    "ischemic",
    "anemic",
    "uremic",
    "oxemic",
    "lipidemic",
    "septicemic",
    "leukemic",
    "bacteremic",
    "viremic",
    "kalemic",
    "natremic",
    "calcemic",
];

/// A US stem, its UK form, and the suffixes it may take.
type StemRule = (&'static str, &'static str, &'static [&'static str]);

struct Tables {
    words: HashMap<&'static str, &'static str>,
    /// Stem rules by their first four letters.
    stems: HashMap<&'static str, Vec<StemRule>>,
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut stems: HashMap<&str, Vec<_>> = HashMap::new();
        for &(us, uk, suffixes) in STEMS {
            stems.entry(&us[..4]).or_default().push((us, uk, suffixes));
        }
        Tables {
            words: WORDS.iter().copied().collect(),
            stems,
        }
    })
}

/// The British form of a lowercased word, borrowed unchanged when it has none.
pub fn to_uk(word: &str) -> Cow<'_, str> {
    if word.len() < 4 || !word.is_ascii() {
        return Cow::Borrowed(word);
    }
    let t = tables();
    if let Some(uk) = t.words.get(word) {
        return Cow::Borrowed(uk);
    }
    if let Some(rules) = t.stems.get(&word[..4]) {
        for &(us, uk, suffixes) in rules {
            if let Some(rest) = word.strip_prefix(us) {
                if suffixes.is_empty() || suffixes.contains(&rest) {
                    return Cow::Owned(format!("{uk}{rest}"));
                }
            }
        }
    }
    if let Some(w) = ize_to_ise(word) {
        return Cow::Owned(w);
    }
    if let Some(w) = emia_to_aemia(word) {
        return Cow::Owned(w);
    }
    Cow::Borrowed(word)
}

/// `organize` → `organise`, `analyze` → `analyse`.
fn ize_to_ise(word: &str) -> Option<String> {
    for (z, s) in [("iz", "is"), ("yz", "ys")] {
        let Some(p) = word.rfind(z) else { continue };
        let (stem, rest) = (&word[..p], &word[p + 2..]);
        let sized = z == "iz"
            && stem
                .strip_suffix('s')
                .is_some_and(|pre| SIZE_PREFIXES.contains(&pre));
        if stem.len() >= 2 && IZE.contains(&rest) && !IZE_EXCEPTIONS.contains(&stem) && !sized {
            return Some(format!("{stem}{s}{rest}"));
        }
    }
    None
}

/// `anemia` → `anaemia`, `hyperglycemic` → `hyperglycaemic`.
fn emia_to_aemia(word: &str) -> Option<String> {
    let insert_at = if (word.ends_with("emia") || word.ends_with("emias"))
        && !EMIA_EXCEPTIONS.contains(&word)
    {
        word.rfind("emia")
    } else if AEMIC.iter().any(|s| word.ends_with(s)) {
        word.rfind("emic")
    } else {
        None
    }?;
    if word[..insert_at].ends_with('a') || insert_at == 0 {
        return None;
    }
    Some(format!("{}a{}", &word[..insert_at], &word[insert_at..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn us_spellings_fold_to_uk() {
        for (us, uk) in [
            ("organization", "organisation"),
            ("organizational", "organisational"),
            ("organize", "organise"),
            ("prioritizing", "prioritising"),
            ("analyze", "analyse"),
            ("emphasize", "emphasise"),
            ("criticized", "criticised"),
            ("behavior", "behaviour"),
            ("behavioral", "behavioural"),
            ("neighborhood", "neighbourhood"),
            ("center", "centre"),
            ("pediatric", "paediatric"),
            ("pediatrician", "paediatrician"),
            ("anesthesia", "anaesthesia"),
            ("program", "programme"),
            ("anemia", "anaemia"),
            ("hyperglycemia", "hyperglycaemia"),
            ("ischemic", "ischaemic"),
            ("modeling", "modelling"),
            ("tumor", "tumour"),
        ] {
            assert_eq!(to_uk(us), uk, "{us}");
            assert_eq!(to_uk(uk), uk, "{uk} must be stable");
        }
    }

    #[test]
    fn look_alikes_are_left_alone() {
        for w in [
            "size",
            "seize",
            "prize",
            "citizen",
            "downsize",
            "resized",
            "oversized",
            "capsize",
            "laboratory",
            "honorary",
            "humorous",
            "academia",
            "academic",
            "epidemic",
            "pandemic",
            "systemic",
            "colorectal",
            "programmer",
            "maize",
            "organ",
            "centerline",
        ] {
            assert_eq!(to_uk(w), w, "{w}");
        }
    }
}
