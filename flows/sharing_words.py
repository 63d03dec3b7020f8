"""The words the sharing checks look for (flows.sharing_flags): street words, given names and
surnames, titles, the capitalised words that are not people, and the phrases about harm, in
English, Welsh, Polish and Urdu (script and romanised).

These are detection patterns, not text anyone reads, so they stay out of the Babel catalog.
Names and words are stored folded (lower case, no accents: see ``fold``) unless they are in
Urdu script or are regular expressions.
"""

from __future__ import annotations


def words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --- Addresses ---------------------------------------------------------------------------

# The word that ends an English street name: "14 Elm Road", "8 The Crescent".
STREET_WORDS_EN = words(
    """road rd street st avenue ave av lane ln close drive dr way court ct crescent cres place
    pl terrace tce gardens gdns grove hill square sq walk row mews parade view rise green vale
    park boulevard wharf yard chase meadow meadows fields croft heights approach circus"""
)
# Typed in lower case ("27 mill lane") only these count: the others are everyday words.
STREET_WORDS_LOWER = words("road rd street st avenue ave lane crescent terrace gardens mews")
# Words that cannot be part of a street name between the number and the street word.
ADDRESS_STOPWORDS = words(
    """to on at in and or from near by for past off along up down into onto the of with more
    new main busy big other extra different dangerous minute minutes min mins mile miles hour
    hours week weeks day days year years times bus buses stop stops people of a an my our
    your their his her its this that these those every each minute"""
)
# After "number": "number 22 on Mill Lane", "rhif 9 yn Rhodfa'r Môr".
NUMBER_PREPOSITIONS = words("on in at yn ar na przy")
# Welsh street words come first: "14 Heol y Parc", "9 Rhodfa'r Môr".
STREET_WORDS_CY = words(
    """heol stryd ffordd lon rhodfa cilgant teras maes clos llys rhes sgwar cwrt ystad
    pentre tan"""
)
# Only these Welsh street words may be typed in lower case ("3 heol y parc"); "ffordd" is
# also the everyday word for "way".
STREET_WORDS_CY_LOWER = words("heol stryd lon rhodfa cilgant teras")
# Polish: "ul. Lipowa 5", "os. Słoneczne 12", "ulica Mickiewicza 8" (number after).
STREET_PREFIX_PL = (
    r"ul\.|ulica|ulicy|ulicę|al\.|aleja|alei|aleję|os\.|osiedle|osiedlu|pl\.|plac|placu"
)
# Urdu street words after a transliterated name ("14 ایلم روڈ", "7 پارک اسٹریٹ").
STREET_WORDS_UR = words(
    """روڈ رود سٹریٹ اسٹریٹ سٹریت لین ایونیو ایوینیو کلوز ڈرائیو کریسنٹ ٹیرس گارڈنز پلیس
    اسکوائر گرو وے"""
)
# "مکان نمبر 14", "گلی نمبر 3", "makan number 14": a house or a lane and its number.
HOUSE_NUMBER_UR = (
    r"(?:مکان|گھر|فلیٹ|گلی|makan|ghar|gali|house)\s*(?:نمبر|number|no\.?|nmbr)\s*:?\s*\d"
)

# --- Names -------------------------------------------------------------------------------

# Common given names (UK, Welsh, Polish, Pakistani), folded. Words that are also months or
# everyday words (May, June, Will, Hope, Dawn, Joy) are left out.
GIVEN_NAMES = words(
    """adam adrian aidan alan albert alex alexander alice alison amanda amber amelia amy andrew
    andy angela ann anna anne annie anthony barbara ben benjamin beth betty beverley brian
    bridget carl carol caroline catherine charles charlie charlotte chloe chris christine
    christopher claire clare colin craig daniel danny darren david dean debbie deborah denise
    derek diane donna dorothy douglas edward eileen eleanor elizabeth ellie emily emma eric
    ethan fiona frances frank gary gemma geoffrey george georgia gillian gordon graham hannah
    harry heather helen henry ian irene jack jacqueline james jane janet jason jean jennifer
    jessica jill jim jo joan joanne joe john jonathan joseph josh joshua judith julie karen kate
    katherine kathleen keith kelly kenneth kevin kim laura lauren leah lee leslie lewis liam
    linda lisa louise lucy luke lynn lynne malcolm margaret maria marie mark martin mary matthew
    maureen megan michael michelle mike mohammed nancy natalie neil nicholas nicola nigel noah
    oliver olivia pamela patricia patrick paul pauline peter philip rachel raymond rebecca
    richard rita robert roger ronald rosemary ruth ryan sally samantha sam samuel sandra sarah
    scott sharon sheila shirley simon sophie stephen steve steven stuart sue susan teresa terry
    thomas tim tom tony tracey tracy trevor valerie vanessa victoria vincent wendy william
    yvonne zoe
    aled alun aneurin angharad arwel bethan bryn carys catrin cerys dafydd dai delyth dewi dylan
    eirlys eleri elin emrys eurig ffion geraint gethin glenys glyn gruffudd gwen gwenllian gwyn
    gwyneth heddwyn hefin huw hywel ieuan ifan iolo iwan llinos lowri mair manon mared meinir
    meirion mererid nerys nia non osian owain owen rhian rhiannon rhodri rhys sian sioned siwan
    tegan tomos wyn
    agata agnieszka aleksandra andrzej ania barbara bartek bartosz beata dorota ewa ewelina
    grzegorz halina hanna iwona jacek jadwiga jakub jan janusz jerzy joanna jolanta jozef
    justyna kamil karolina kasia katarzyna krystyna krzysztof lech lukasz maciej magda
    magdalena malgorzata marek marcin mariusz marta mateusz michal monika pawel piotr rafal
    renata robert roman sebastian stanislaw stefan szymon tadeusz teresa tomasz tomek urszula
    wojciech zbigniew zofia
    aamir abdul adeel afzal ahmed aisha akbar ali amina amir anwar arif asad asif asma ayesha
    aziz bilal bushra farah farhan farooq fatima faisal ghulam hamza haroon hassan hina hussain
    imran iqbal irfan javed junaid kamran kashif khalid mahmood majid maryam mehmood mohammad
    mohammed muhammad mumtaz naeem nadia naveed nasreen nazia noor parveen qasim rabia rashid
    razia rehana rizwan rubina saba sadia saima sajid saleem salma samina sana shabana shahid
    shakeel shazia shoaib sobia sumera tahir talat tariq umar usman waseem yasmin yousaf zafar
    zahid zainab zubair anita priya sunita rajesh sanjay deepak mandeep harpreet gurpreet
    jaspreet manpreet baljit harjit kuldip sukhdev amrit ravinder parminder jasbir rajinder"""
)
# Common surnames, folded; a capitalised word before one of these is taken for a given name.
# Surnames that are also place words (Hall, Hill, Wood, Green) are left out.
SURNAMES = words(
    """jones williams davies evans thomas roberts hughes lewis morgan griffiths edwards james
    rees price lloyd parry owen jenkins powell pritchard bowen howells phillips llewellyn
    smith brown taylor wilson johnson walker wright robinson thompson harris martin jackson
    clarke clark turner moore cooper baker harrison morris mason walsh murphy kelly obrien
    patel khan ahmed ali hussain shah begum akhtar iqbal malik mahmood butt chaudhry choudhury
    bibi rashid qureshi kaur singh okafor sandhu gill sidhu dhillon bains johal sharma gupta
    kumar mistry chauhan ahmad siddiqui raza sheikh mirza rehman rahman uddin miah chowdhury
    nowak kowalski kowalska wisniewski wisniewska wojcik kowalczyk kaminski kaminska
    lewandowski lewandowska zielinski zielinska szymanski szymanska wozniak dabrowski
    dabrowska kozlowski kozlowska mazur krawczyk zajac"""
)
# Polish surnames by their endings ("Zielińską", "Mickiewicz" is a street in "ulica
# Mickiewicza 8", so only after a given name or a title).
POLISH_SURNAME_ENDINGS = ("ski", "ska", "ską", "cki", "cka", "dzki", "dzka", "wicz", "czyk")
# Titles before a name: "Mrs Patel", "Dr. Evans", "Pani Kowalska", "Councillor Hughes".
TITLES = words(
    """mr mrs ms miss mx dr doctor councillor cllr prof professor rev revd nurse sister father
    pan pani pania pana panu panem panie doktor doktora doktorem cynghorydd cyng"""
)
# Capitalised words that are places or organisations (en, cy, pl): a run of capitalised
# words holding one is not a name ("Millbrook Library", "Royal Gwent", "Age Cymru").
NOT_NAME_WORDS = (
    STREET_WORDS_EN
    | STREET_WORDS_CY
    | words(
        """library centre center council hospital surgery care commission services service
        social trust advice citizens group cafe club hall church chapel school college
        university station bus house home court health board nhs infirmary royal clinic hub
        community society association foundation charity cymru wales england britain uk
        housing unit ward team office department act credit universal jobcentre plus leisure
        market shop tesco asda aldi lidl sainsburys morrisons bank holiday brightcare mind
        samaritans age quality foodbank party labour conservative police fire ambulance
        crisis primary medical practice pharmacy dental dentist new year eve day
        cardiff caerdydd swansea abertawe newport casnewydd bangor wrexham wrecsam millbrook
        gwent gwynedd merthyr tydfil pontypridd bontypridd brecon llandough cathays vale
        london manchester birmingham leeds bradford bristol glasgow edinburgh belfast
        poland polska pakistan lahore karachi mirpur islamabad poznan poznaniu gdansk warsaw
        warszawa krakow queen king prince princess st saint god
        llyfrgell lyfrgell ysbyty canolfan ganolfan cyngor gyngor neuadd eglwys capel ysgol
        bwrdd iechyd prifysgol gwasanaethau gofalwyr deddf llywodraeth senedd brenhinol
        rada szpital biblioteka przychodnia urzad polish english welsh urdu straz miejska
        miejski polski angielski wielka"""
    )
)
# Capitalised words that open a sentence or a greeting, and days and months: a name may
# come straight after them ("Thanks Susan Jones", "On Tuesday Rhian Morgan said").
OPENING_WORDS = words(
    """monday tuesday wednesday thursday friday saturday sunday january february march april
    may june july august september october november december christmas easter eid
    happy merry kind regards best wishes dear sir madam thanks thank hello hi good morning
    dydd llun mawrth mercher iau gwener sadwrn sul ionawr chwefror ebrill mehefin gorffennaf
    awst medi hydref tachwedd rhagfyr blwyddyn newydd nadolig diolch cofion annwyl
    poniedzialek wtorek sroda czwartek piatek sobota niedziela styczen luty marzec kwiecien
    maj czerwiec lipiec sierpien wrzesien pazdziernik listopad grudzien wesolych swiat
    dziekuje pozdrawiam szanowna szanowny droga drogi"""
)

# Urdu script: a title before a name ("مسز خان", "ڈاکٹر پٹیل") or an honorific after one
# ("سلیم صاحب", "رضیہ بیگم").
URDU_TITLES = frozenset(("مسز", "مسٹر", "مس", "ڈاکٹر", "کونسلر", "ڈاکٹرنی"))
URDU_HONORIFICS = frozenset(("صاحب", "صاحبہ", "بیگم"))
# Words next to a title or honorific that are not names: grammar, kin, jobs.
URDU_NOT_NAMES = (
    URDU_TITLES
    | URDU_HONORIFICS
    | words(
        """کی کا کے کو نے سے میں پر اور یا بھی تو ہی یہ وہ اس ان ہم آپ میرا میری میرے ہمارا
        ہماری ہمارے اپنی اپنا اپنے جی بہت نہیں ہے ہیں تھا تھی تھے ماسٹر مولوی مولانا حاجی
        چوہدری انسپکٹر جج وکیل پروفیسر نرس ٹیچر استاد امی ابو ابا اماں نانی نانا دادی دادا
        خالہ خالو چچا چچی ماموں ممانی پھوپھی بیٹا بیٹی بھائی بہن شوہر بیوی سب"""
    )
)
# Urdu spellings of given names and surnames, so an author's own name written in Urdu is
# known as theirs ("شازیہ بیگم" for Shazia Begum).
URDU_LATIN = dict(
    pair.split(":")
    for pair in words(
        """نسرین:nasreen شازیہ:shazia روبینہ:rubina عمران:imran رضیہ:razia سلیم:saleem
        فاطمہ:fatima عائشہ:ayesha محمد:mohammed احمد:ahmed علی:ali طارق:tariq اختر:akhtar
        بیگم:begum ملک:malik حسین:hussain خان:khan پٹیل:patel اقبال:iqbal محمود:mahmood"""
    )
)

# --- Harm: self-harm, harm to others, abuse, neglect ---------------------------------------

# Someone harm can be done to, after a verb: "hit her", "shouted at mum", "pushes me".
_PERSON = (
    r"(?:me|him|her|them|us|you|mum|mam|mom|dad|nan|gran|grandad|residents|patients|kids"
    r"|children|(?:my|his|her|their|our|your|the|a|an|this|that)\s+(?:\w+\s+)?"
    r"(?:mum|mom|mam|mother|dad|father|nan|nana|nanna|gran|granny|grandma|grandad|grandpa"
    r"|grandmother|grandfather|wife|husband|partner|son|daughter|child|children|kids?|baby"
    r"|brother|sister|neighbour|neighbor|aunt|auntie|uncle|nephew|niece|girlfriend"
    r"|boyfriend|residents?|patients?|client|girl|boy|woman|lady|man|friend|family|carers?"
    r"|staff|nurse|worker))"
    r"(?:'s|’s)?\b"
)
_EN = (
    r"\bsuicid\w*",
    r"\bself[- ]?harm\w*",
    r"\b(?:cut|cutting|hurt|hurting|harm|harming|kill|killing|hang|hanging|starve|starving)"
    r"\s+(?:myself|himself|herself|themselves|yourself)\b",
    r"\bkill(?:s|ed|ing)?\s+(?:me|him|her|them|us|you)\b",
    r"\b(?:want(?:s|ed)?|wanna|going)\s+(?:to\s+)?die\b",
    r"\bwish\s+i\s+(?:was|were)\s+dead\b",
    r"\bend(?:ing)?\s+(?:it\s+all|my\s+life|his\s+life|her\s+life)\b",
    r"\b(?:nothing|no\s+reason)\s+to\s+live\s+for\b|\btired\s+of\s+living\b",
    r"\bjump\s+(?:off\s+(?:a|the)\s+(?:bridge|cliff|roof)|in\s+front\s+of\s+(?:a|the)\s+train)\b",
    r"\bdon'?t\s+want\s+to\s+be\s+here\s+any\s?more\b",
    r"\btake\s+my\s+(?:own\s+)?life\b|\bbetter\s+off\s+without\s+me\b",
    r"\b(?:no|any)\s+point\s+(?:in\s+)?(?:living|going\s+on)\b",
    r"\bcan'?t\s+go\s+on\s+(?:any\s?more|like\s+this)\b",
    r"\boverdos\w*",
    r"\b(?:hit|hits|hitting|slap\w*|punch\w*|kick\w*|beat|beats|beating|beaten|push|pushes"
    r"|pushed|pushing|shov\w*|shak(?:e|es|ing|en)|grab\w*|pinch\w*|hurt|hurts|hurting"
    r"|smack\w*|thump\w*|strangl\w*|chok\w*)\s+" + _PERSON,
    r"\b(?:shout\w*|scream\w*|yell\w*|swear\w*|swore|sworn)\s+at\s+" + _PERSON,
    r"\bthreaten\w*\s+(?:to\s+(?:kill|hurt|hit|harm|beat|burn|stab)\b|" + _PERSON + ")",
    r"\b(?:death\s+threats?|threats?\s+(?:to\s+kill|to\s+hurt|of\s+violence))\b",
    r"\babus(?:e|ed|es|ing|ive|er)\b",
    r"\bleft\s+(?:\w+\s+){0,2}(?:alone|on\s+(?:his|her|their)\s+own)\s+(?:all|for|overnight"
    r"|at\s+night|without|again|most|every|in)\b",
    r"\bleft\s+in\s+(?:soiled|wet|dirty)\b",
    r"\b(?:bed|pressure)\s?sores?\b",
    r"\bbruis\w*",
    r"\b(?:home|house|ward|hostel|flat)\s+(?:is|was|feels)\s+(?:\w+\s+)?unsafe\b",
    r"\b(?:feel|feels|felt|feeling)\s+(?:\w+\s+)?unsafe\b",
    r"\bnot\s+safe\s+(?:at|in)\s+(?:home|the\s+home|my\s+home)\b",
    r"\b(?:steal\w*|stole|stolen)\s+(?:\w+\s+)?(?:money|cash|pension|savings|benefits)\b",
    r"\b(?:taking|took|takes)\s+(?:his|her|their)\s+(?:money|pension|benefits|savings"
    r"|bank\s+card|cards?)\b",
    r"\blocked\s+(?:him|her|them|me|mum|dad)\s+(?:in|up)\b",
    r"\blocked\s+(?:in|up\s+in)\s+(?:his|her|their|my)\s+(?:room|bedroom|flat|house)\b",
    r"\blocked\s+(?:in|up)\s+(?:all\s+day|at\s+night|overnight)\b",
    r"\b(?:not|never|isn'?t|aren'?t|wasn'?t|hasn'?t|haven'?t)\s+(?:been\s+|being\s+)?"
    r"(?:fed|washed|bathed)\b",
    r"\bnobody\s+(?:has\s+|had\s+)?(?:fed|feeds|washed|washes|turns|turned|changed|changes)\b",
    r"\b(?:leave|leaves|left)\s+(?:him|her|them|\w+)\s+(?:sitting|lying)\s+(?:in|on)\b",
    r"\bhasn'?t\s+eaten\b",
    r"\b(?:has|have|had|with|left|got)\s+no\s+food\b",
    r"\bno\s+food\s+(?:all\s+day|for\s+days|in\s+the\s+house)\b",
    r"\bgroom(?:ing|ed)\s+(?:kids|children|girls|boys|young|him|her|them|my|a)\b",
    r"\bsexual(?:ly)?\s+(?:assault|abus|harass|exploit)\w*",
    r"\bassault\w*|\brap(?:e|ed|ist)\b|\bmolest\w*",
    r"\bdomestic\s+(?:violence|abuse)\b",
    r"\bviolen(?:ce|t)\b|\bbull(?:y|ies|ied|ying)\b",
    r"\bexploit(?:ed|ing)\s+(?:him|her|them|me|my|vulnerable)\b",
    r"\b(?:frightened|scared|afraid|terrified)\s+of\s+(?:his|\w+'s|" + _PERSON + ")",
    r"\b(?:taking|took|takes|stealing|stole|steals)\s+(?:\w+\s+)?(?:money|cash)\s+(?:out\s+of"
    r"|from)\b",
    r"\b(?:scammed|scammers|conned|swindl\w*|rogue\s+traders?)\b",
    r"\b(?:stab\w*|battered|beaten\s+up|cruel\w*|coerc\w*|humiliat\w*|malnourish\w*"
    r"|dehydrat\w*|trafficked)\b",
    r"\battack(?:s|ed|ing)?\s+" + _PERSON,
    r"\b(?:won'?t|doesn'?t|don'?t)\s+let\s+(?:me|him|her|them)\s+(?:leave|go\s+out|see)\b",
    r"\bnobody\s+(?:looks|looking|looked)\s+after\s+(?:him|her|them)\b",
)
_CY = (
    r"\b(?:c|g|ngh|ch)am-?dri\w*",
    r"\bh?esgeulustod\b",
    r"\bhunan-?niw\w*",
    r"\b(?:ei|fy|eu)\s+niweidio\b",
    r"\bhunanladdiad\w*",
    r"\bl?ladd\s+(?:fy|ei|dy|eu|ein)\s+hun\w*",
    r"\b(?:eisiau|isio|am)\s+(?:marw|farw)\b",
    r"\b(?:ddim\s+eisiau|dim\s+pwynt|dim\s+rheswm\s+i)\s+(?:byw|fyw)\b",
    r"\b(?:b|f|m)wlio\b",
    r"\b(?:ei|fy|eu)\s+(?:guro|churo|nghuro|brifo|frifo|mrifo)\b",
    r"\bheb\s+neb\s+yn\s+gofalu\b|\bneb\s+yn\s+gofalu\s+amdan\w*",
    r"\b(?:bygwth|fygwth|mygwth)\s+(?:ei|fy|eu|dy)\s+(?:ladd|lladd|brifo|frifo|daro|tharo)\b",
    r"\b(?:bygythiad\w*\s+i\s+(?:ladd|lladd))\b",
    r"\b(?:ei|fy|eu|wedi'i)\s+[dt]aro\b|\b(?:tharo|nharo)\b",
    r"\bg?weiddi\s+(?:ar\s+(?:fi|hi|fe|fo|nhw|mam|dad|nain|taid|y\s+plant|ei|fy)"
    r"|arna\s+i|arnaf|arni|arno|arnyn)\b",
    r"\bofni\s+(?:fy|ei|eu)\s+(?!mod\b|bod\b)\w+",
    r"\b(?:fy|ei|eu)\s+(?:gwthio|wthio)\b|\bngwthio\b",
    r"\bar\s+(?:ei|eu)\s+(?:ben|phen|pennau)\s+(?:ei|eu)\s+hun(?:ain)?\s+(?:drwy'?r|trwy'?r"
    r"|am)\s+(?:dydd|nos|dyddiau|oriau)\b",
    r"\bheb\s+fwyd\b|\bddim\s+bwyd\b",
    r"\b(?:briwiau|friwiau|doluriau)\s+gwely\b",
    r"\b(?:c|g|ngh|ch)leisiau\b",
    r"\b(?:dwyn|ddwyn)\s+(?:\w+\s+)?(?:arian|harian|pensiwn|bensiwn)\b",
    r"\bcymryd\s+(?:ei|eu)\s+(?:h?arian|bensiwn|phensiwn)\b",
    r"\b(?:t|d|th|nh)reisio\b|\b[td]rais\b",
    r"\bymosod\w*",
    r"\bwedi'?i\s+(?:g|ch)?loi\b",
    r"\bofn\s+(?:ohono|ohoni|o'?i)\b",
)
_PL = (
    r"\b(?:po)?bi(?:je|ją|jesz|ł|ła|li|ło|ć|ty|ta|cie)\b",
    r"\bpobi(?:ł|ć|t|c|j)\w*",
    r"\b(?:mnie|go|ją|je|ich|nas|cię)\s+uderz\w*",
    r"\buderz\w*\s+(?:mnie|go|ją|je|ich|nas|cię|mamę|tatę|babcię|dziadka|żonę|męża|dziecko"
    r"|syna|córkę)\b",
    r"\b(?:krzycz|wrzeszcz)\w*\s+na\b",
    r"\bprzemoc\w*",
    r"\bsamob[oó]j\w*",
    r"\b(?:zabi[ćcj]\w*|zabić)\s+się\b",
    r"\bsię\s+zabi(?:ć|ję|je|jesz|ł|ła|li)\b",
    r"\b(?:mnie|cię|go|ją|ich)\s+zabij\w*",
    r"\bzabij(?:e|ę|esz)\s+(?:mnie|cię|go|ją|ich)\b",
    r"\bnie\s+chc(?:ę|e)\s+(?:już\s+|juz\s+)?(?:żyć|zyc)\b",
    r"\bokrad\w*|\bkradnie\b|\bznęca\w*",
    r"\b(?:ukradł|zabrał|zabiera|kradnie)\w*\s+(?:\w+\s+)?(?:pieniądze|emeryturę|rentę)",
    r"\b(?:popchn|popycha|szarp)\w*",
    r"\bwykorzyst\w*\s+(?:seksual|finansow)\w*",
    r"\b(?:maltret|zastrasz|poniża|szantaż|wyzyw)\w*",
    r"\bnie\s+pozwala\s+(?:mi|jej|mu|im)\s+wychodzić\b",
    r"\bnie\s+mam\s+(?:po\s+co|dla\s+kogo)\s+żyć\b",
    r"\bchcę\s+umrzeć\b|\bodebrać\s+sobie\s+życie\b|\bskończyć\s+ze\s+sobą\b",
    r"\bnikt\s+się\s+(?:nim|nią|nimi)\s+nie\s+(?:opiekuje|zajmuje)\b",
    r"\bz?gwałc\w*|\bgwałt\w*",
    r"\bgroz\w*\s+(?:mi|mu|jej|im),?\s+że\b",
    r"\bgroził\w*\s+(?:mi|mu|jej|im|nam)\b",
    r"\bgroz\w*\s+(?:śmiercią|pobiciem|nożem)\b",
    r"\bodleżyn\w*|\bsiniak\w*",
    r"\bs?krzywdz\w*|\b(?:samo)?okalecz\w*",
    r"\btnie\s+(?:się|sobie)\b",
    r"\bgłodz\w*",
    r"\bzamyka\w*\s+(?:\w+\s+)?na\s+klucz\b",
    r"\bzamknię\w*\s+(?:w\s+pokoju|na\s+klucz)\b",
    r"\bbez\s+jedzenia\b",
    r"\bnikt\s+(?:go|jej|ich)\s+nie\s+(?:myje|karmi|obraca|przewraca|przebiera)\b",
    r"\bzostawi\w*\s+(?:\w+\s+)?(?:samą|samego|samych)\b",
    r"\bboję\s+się\s+(?:go|jej|ich|syna|męża|wrócić)\b",
)
_UR = (
    r"\bخودکشی\b|\bkhud\s?kushi\b",
    r"\b(?:مارتا|مارتی|مارتے|مارا|ماری|پیٹتا|پیٹتی|پیٹتے|پیٹا|پیٹی|پٹائی)\b",
    r"\bمار\s+(?:ڈال|دی|دیا|دے)\w*",
    r"\b(?:maa?rt[aie]|maa?r[aie]|peet(?:t[aie]|[aie]))\s+(?:hai|hain|tha|thi|the|diya|di)\b",
    r"\b(?:maara|pitai)\b",
    r"\bتشدد\b|\btashaddud\b",
    r"\bزیادتی\b|\b(?:ziyadti|zyadti|zyadati)\b",
    r"\bبدسلوکی\b",
    r"\bدھمکی\w*|\bdhamki\w*",
    r"\bدھکا\b|\bدھکے\b",
    r"\b(?:dhakk?a|dhakke|thapp?ar)\b",
    r"\bgaa?liy[aā]n\s+(?:deta|deti|dete|di|dena)\b",
    r"\bگالی(?:اں)?\s+(?:دیت|دی)",
    r"\b(?:خیال|دیکھ\s+بھال)\s+نہیں\s+(?:رکھت|کرت)",
    r"\bkhayal\s+nahi\s+rakh",
    r"\b(?:جانے|نکلنے)\s+نہیں\s+دیت",
    r"\b(?:خود|اپنے\s+آپ)\s+کو\s+ختم|\bزندگی\s+ختم",
    r"\bزبردستی\s+(?:شادی|نکاح)|\bzabardasti\s+shadi\b",
    r"\bتھپڑ\w*",
    r"\b(?:اپنے\s+آپ|خود)\s+کو\s+(?:نقصان|زخمی|مار)",
    r"\b(?:اکیلا|اکیلی|اکیلے)\s+چھوڑ",
    r"\b(?:akela|akeli|akele)\s+chho?r",
    r"\bجینے\s+کا\s+دل\s+نہیں",
    r"\bجینا\s+نہیں\s+چاہت",
    r"\b(?:مر\s+جانا|مرنا)\s+چاہت|\bمر\s+جاؤں\b",
    r"\bدوائی\s+(?:\S+\s+){0,3}?نہیں\s+(?:دی|دیت)",
    r"\b(?:zindagi\s+khatam|jeene\s+ka\s+dil\s+nahi|marna\s+chaht|mar\s+jana\s+chaht)",
    r"\b(?:پیسے|رقم|پنشن|پینشن)\s+(?:\S+\s+){0,2}?(?:چرا|چوری|لے\s+لی|لے\s+لیت|چھین)",
    r"\b(?:کمرے|گھر)\s+میں\s+بند\b|\bkamre\s+mein\s+band\b",
    r"\bکھانا\s+(?:بھی\s+)?نہیں\s+(?:ملتا|دیا|دیتے|دیتا|دیتی)",
    r"\bkhana\s+nahi\s+(?:milta|dete|deta|deti|diya)\b",
    r"\bجنسی\s+(?:زیادتی|ہراس\w*)|\bہراساں\b",
)
HARM_PATTERNS = _EN + _CY + _PL + _UR

# Harm words that are about a place as often as a person ("the park is neglected"): they
# count unless the nearest word before or after them is a place.
NEGLECT_PATTERNS = (
    r"\bneglect\w*",
    r"\bh?esgeulus\w*",
    r"\bzaniedb\w*",
    r"نظر\s?انداز",
)
PLACE_WORDS = words(
    """park parks garden gardens road roads street streets building buildings playground area
    estate flats town village library centre station shelter pavement pavements bins swings
    field cemetery church hall site path paths toilets
    parc ffordd ffyrdd heol stryd adeilad llyfrgell ardal tref pentref palmant ysgol gardd
    ysbyty
    szkole szkoła skwer budynek plac ogród teren osiedle droga drogi chodnik boisko
    biblioteka ulica ulice
    سڑک سڑکوں پارک گلی عمارت باغ لائبریری علاقہ علاقے"""
)
# Words passed over when looking for the place next to a neglect word.
NEGLECT_FILLERS = words(
    """is was are were been being be totally completely very so really badly the a an of
    jest był była było są całkowicie bardzo kompletnie zupełnie totalnie
    wedi cael ei eu yn mor hollol y yr r
    کو کیا جاتا ہے جا رہا رہی"""
)
# Phrases that carry a harm word but no harm: prevention work, idioms.
HARMLESS_PHRASES = (
    r"\bsuicide\s+(?:prevention|awareness|training|first\s+aid)\b",
    r"\bprevent(?:ing|ion\s+of)?\s+suicides?\b",
    r"\babus\w*\s+(?:of\s+)?(?:the\s+)?(?:blue\s+badge|system|process|complaints|power"
    r"|parking|spaces?|bays?|rules?|procedure|privilege|scheme)",
    r"\b(?:back|knees?|feet|legs|head|neck|hips?|weather|heat|cold|this|it|that|wait"
    r"|waiting|stairs|living|bills|prices|rent|cuts)\s+(?:is|are|'s|’s)\s+killing\s+(?:me|my|us)\b",
    r"\bf[ae]ll\w*\s+(?:\w+\s+){0,4}?(?:hit|hurt|bang\w*|bump\w*)\s+(?:his|her|my|their)\s+\w+",
    r"\bpush\w*\s+(?:\w+\s+){0,2}(?:\w+'s\s+)?(?:wheelchair|chair|buggy|pram|trolley|walker)",
    r"\bbeat\s+(?:me|us|you|him|her|them)\s+to\s+it\b",
    r"\bhurts?\s+(?:me|us)\s+to\s+(?:see|say|think|watch|hear)\b",
    r"\batal\s+hunanladdiad\b",
    r"\b(?:t|th|d)aro\s+(?:ei|fy|eu)\s+(?:b|ph|mh)?en\b|\b(?:t|th|d)aro'?r\s+targed\b",
    r"\bdie\s+(?:of|from)\s+(?:boredom|embarrassment|shame|laughing|laughter)\b",
    r"\b(?:zapobiegani|profilaktyk)\w*\s+samob[oó]jstw\w*",
    r"خودکشی\s+(?:کی\s+روک|سے\s+بچاؤ)",
)
